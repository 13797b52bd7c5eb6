/** The two vocabularies llmkit counts with; every current OpenAI model uses one of them. */
export type Encoding = 'o200k_base' | 'cl100k_base';

export interface ModelTokenizer {
  encoding: Encoding;
  /** The count is the model's own: its vocabulary, served where no one rewrites the prompt. */
  exact: boolean;
  /**
   * Whether the chat overhead of OpenAI's counting recipe applies. gpt-oss speaks the harmony
   * format, whose chat template prepends a system preamble (knowledge cutoff, reasoning level,
   * channels) we do not see, so its text counts are exact but its chat counts are not.
   */
  chatRecipe: boolean;
}

// Prefixes from OpenAI's model list, each followed by `-`, `.` or the end of the id, so that
// `gpt-4o-mini-2024-07-18` and `gpt-5.1` match while `gpt-4` does not swallow `gpt-4o`.
const o200kFamilies = /^(?:gpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|o1|o3|o4|chatgpt-4o|gpt-oss)(?:[-.]|$)/;
const cl100kFamilies = /^(?:gpt-4(?:-|$)|gpt-3\.5-turbo|text-embedding-3|text-embedding-ada-002$)/;
const harmonyFamilies = /^gpt-oss(?:-|$)/;

// Providers that run OpenAI's own deployment of the model, so usage is counted by OpenAI's
// tokenizer and chat format. Azure deployment names are the user's choice: one named `gpt-4o`
// counts as exact, one named `prod-chat` falls back to the estimate.
const openAIServing = new Set(['openai', 'azure-openai']);
// Aggregators whose ids carry the upstream vendor (`openrouter/openai/gpt-4o`); only the
// `openai/` ids among them reach OpenAI.
const openAIViaAggregator = new Set(['openrouter']);

/**
 * The id as OpenAI names it when the prefix says OpenAI serves it, else undefined. Fine-tuned
 * ids (`ft:gpt-4o-mini-2024-07-18:org::id`) count as their base model.
 */
function openAIModelId(model: string): string | undefined {
  const slash = model.indexOf('/');
  if (slash < 0) return model;
  const provider = model.slice(0, slash);
  const rest = model.slice(slash + 1);
  if (openAIServing.has(provider)) return rest;
  if (openAIViaAggregator.has(provider) && rest.startsWith('openai/')) return rest.slice('openai/'.length);
  return undefined;
}

function baseModelId(id: string): string {
  const lower = id.toLowerCase();
  return lower.startsWith('ft:') ? lower.slice('ft:'.length) : lower;
}

/**
 * Models outside OpenAI's families are counted with o200k_base and flagged as estimates. Their
 * own tokenizers (Qwen's ~151k, DeepSeek's ~128k, GLM's ~151k vocabularies) are byte-level BPEs
 * of similar size trained on similar English, code and Chinese mixes, so they land close to
 * o200k, which also encodes CJK about as efficiently; cl100k would overcount Chinese noticeably.
 * Shipping each vendor's vocabulary would cost megabytes for a number that is only ever used
 * for budgets and context checks: the usage the provider reports is what is billed.
 */
export function modelTokenizer(model: string): ModelTokenizer {
  const trimmed = model.trim();
  const served = openAIModelId(trimmed);
  // Without an OpenAI-serving prefix the id still names the model family best: a proxy serving
  // `gpt-4` most likely runs gpt-4, so its vocabulary is the better guess, just not a promise.
  const id = baseModelId(served ?? trimmed.slice(trimmed.lastIndexOf('/') + 1));
  if (o200kFamilies.test(id))
    return { encoding: 'o200k_base', exact: served !== undefined, chatRecipe: !harmonyFamilies.test(id) };
  if (cl100kFamilies.test(id))
    return { encoding: 'cl100k_base', exact: served !== undefined, chatRecipe: true };
  return { encoding: 'o200k_base', exact: false, chatRecipe: false };
}

/** The vocabulary a model is counted with, and whether the count is the model's own. */
export function encodingFor(model: string): { encoding: Encoding; exact: boolean } {
  const { encoding, exact } = modelTokenizer(model);
  return { encoding, exact };
}
