import type { StreamPart } from '../providers/types.js';
import type { CallContext } from './call-context.js';

export type Next = () => Promise<ReadableStream<StreamPart>>;

/**
 * A pipeline step. It may act before the call (refuse, rewrite the request, pick a target),
 * wrap the call (retry), or observe the stream of parts on its way out (settle). Every call,
 * streamed or not, is a stream of parts inside the pipeline; a non-streaming provider call
 * simply yields all its parts at once.
 */
export type Step = (context: CallContext, next: Next) => Promise<ReadableStream<StreamPart>>;

export interface NamedStep {
  name: string;
  run: Step;
}

/** Composes steps so the first one listed is the outermost. */
export function runPipeline(
  steps: readonly NamedStep[],
  context: CallContext,
): Promise<ReadableStream<StreamPart>> {
  const dispatch = (index: number): Promise<ReadableStream<StreamPart>> => {
    const step = steps[index];
    if (!step) return Promise.reject(new Error('the pipeline ended without a provider step'));
    return step.run(context, () => dispatch(index + 1));
  };
  return dispatch(0);
}
