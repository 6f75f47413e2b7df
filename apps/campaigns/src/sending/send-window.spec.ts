import { SEND_WINDOW, SendWindow } from './send-window';

const settled = async <T>(promise: Promise<T>): Promise<T | 'waiting'> =>
  Promise.race([promise, new Promise<'waiting'>((resolve) => setImmediate(() => resolve('waiting')))]);

describe(`${SendWindow.name} (Slots)`, () => {
  it('R-S6: never hands out more than SEND_WINDOW slots; a waiter gets them only once enough are released', async () => {
    const window = new SendWindow();
    expect(await window.acquire(SEND_WINDOW - 5)).toBe(SEND_WINDOW - 5);
    expect(await window.acquire(40, 5)).toBe(5);
    expect(window.taken).toBe(SEND_WINDOW);

    const next = window.acquire(40, 10);
    window.release(9);
    expect(await settled(next)).toBe('waiting');
    window.release(1);
    expect(await next).toBe(10);
    expect(window.taken).toBe(SEND_WINDOW);
  });

  it('serves waiters first come, first served, each taking at most what it asked for', async () => {
    const window = new SendWindow();
    await window.acquire(SEND_WINDOW);
    const first = window.acquire(30, 20);
    const second = window.acquire(5, 1);
    window.release(10);
    expect(await settled(first)).toBe('waiting');
    expect(await settled(second)).toBe('waiting');
    window.release(15);
    expect(await first).toBe(25);
    expect(await settled(second)).toBe('waiting');
    window.release(3);
    expect(await second).toBe(3);
  });

  it('caps a request at the window and a release at what was taken', async () => {
    const window = new SendWindow();
    expect(await window.acquire(SEND_WINDOW * 2)).toBe(SEND_WINDOW);
    window.release(SEND_WINDOW * 2);
    expect(window.taken).toBe(0);
  });
});
