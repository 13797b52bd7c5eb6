import { readFile } from 'node:fs/promises';
import { UsageError } from '../errors/index.js';

/** The prompt from the argument, a file (`--file`), or stdin (`-`). */
export async function readPrompt(argument: string | undefined, file: string | undefined): Promise<string> {
  if (file !== undefined && argument !== undefined) {
    throw new UsageError('both a prompt argument and --file were given', { hint: 'pass one of them' });
  }
  if (file !== undefined) {
    try {
      return await readFile(file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new UsageError(`cannot read prompt file ${file}: ${code === 'ENOENT' ? 'no such file' : code}`, {
        hint: 'check the path, or pass the prompt as an argument or on stdin with `-`',
      });
    }
  }
  if (argument === '-' || (argument === undefined && !process.stdin.isTTY)) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    // An empty pipe (`: | llmkit run`) is a mistake, not a prompt worth paying for.
    if (text.trim() === '') {
      throw new UsageError('no prompt given: stdin was empty', {
        hint: 'pipe the prompt in, pass it as an argument, or use --file',
      });
    }
    return text;
  }
  if (argument === undefined || argument.trim() === '') {
    throw new UsageError('no prompt given', {
      hint: 'pass it as an argument, with --file, or on stdin with `-`',
    });
  }
  return argument;
}
