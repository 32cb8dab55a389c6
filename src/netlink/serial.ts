/**
 * serialized: makes an async `next()` safe to call again before the last
 * call settled. Streams keep one waiter at a time internally; a second
 * concurrent `next()` would replace the first one's wake-up and leave it
 * pending forever. Queued behind each other instead, every call gets its
 * own item, in call order, and once the stream has ended every queued call
 * settles with `done: true` as the stream's own `next()` does after its end.
 */
export function serialized<R>(next: () => Promise<R>): () => Promise<R> {
  let tail: Promise<unknown> = Promise.resolve();
  return () => {
    const result = tail.then(next);
    // The next call waits for this one to settle, whether it resolved or threw.
    tail = result.catch(() => undefined);
    return result;
  };
}
