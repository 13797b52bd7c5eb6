import { afterAll, beforeAll, beforeEach } from 'vitest';
import { createFakeUpstream, type FakeUpstream } from '../../src/testing/index.js';

/** One fake upstream per test file, reset before each test. */
export function useFakeUpstream(): { readonly current: FakeUpstream } {
  const holder = {} as { current: FakeUpstream };
  beforeAll(async () => {
    holder.current = await createFakeUpstream();
  });
  afterAll(() => holder.current.close());
  beforeEach(() => holder.current.reset());
  return holder;
}
