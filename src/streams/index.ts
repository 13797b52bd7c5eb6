export { createSseParser, type SseEvent, type SseParserOptions } from './sse-parser.js';
