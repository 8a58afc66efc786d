// The local pacer under the send schedule: whatever the delays on the way, the service never
// sees more than the allowed number of requests within the window.
import { describe, expect, it } from "vitest";
import { pace, telegramLimit } from "../../src/notifications/rateLimit.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("pace", () => {
  it("keeps at most `count` requests in any window at the service, with uneven delays", async () => {
    const limit = { totalGapMs: 0, perChatGapMs: 0, window: { count: 5, ms: 200 } };
    const arrivals: number[] = [];
    // 20 requests at once; each reaches the service after 0–40 ms and is answered 0–40 ms later.
    await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const answered = await pace("vk", limit);
        await sleep((i * 7) % 41);
        arrivals.push(performance.now());
        await sleep((i * 13) % 41);
        answered();
      }),
    );
    arrivals.sort((a, b) => a - b);
    for (let i = 0; i < arrivals.length; i++) expect(arrivals.filter((t) => t >= arrivals[i]! && t < arrivals[i]! + 200).length).toBeLessThanOrEqual(5);
    // …and it does not hold them longer than needed: 20 requests, 5 a window, about 3 windows.
    expect(arrivals.at(-1)! - arrivals[0]!).toBeLessThan(1200);
  });

  it("plans the configured rate with room for jitter", () => {
    expect(telegramLimit(30)).toEqual({ totalGapMs: 1010 / 30, perChatGapMs: 1010, window: { count: 30, ms: 1000 } });
    expect(telegramLimit(25).totalGapMs).toBeCloseTo(40.4);
  });
});
