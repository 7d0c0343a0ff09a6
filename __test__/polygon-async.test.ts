import { PolygonIndex } from "../ts";
import { expectSameArray, latticePoints, latticePolygons } from "./helpers/polygon-data";

const data = latticePolygons(5, 600, 60);

describe.each([0, 1, 2])("async bulk queries equal the sync ones (threads %i)", (threads) => {
  const index = new PolygonIndex(data, { threads });
  const points = latticePoints(6, 600, 60);

  test("bestMatchAsync, withinDistanceAsync, nearestAsync", async () => {
    const scores = Float64Array.from({ length: index.length }, (_, i) => (i * 7) % 5);
    expectSameArray(await index.bestMatchAsync(points, 3, { threads }), index.bestMatch(points, 3, { threads }));
    expectSameArray(await index.bestMatchAsync(points, 3, { threads, best: scores }), index.bestMatch(points, 3, { threads, best: scores }));
    const within = await index.withinDistanceAsync(points, 3, { threads, inclusive: true });
    const withinSync = index.withinDistance(points, 3, { threads, inclusive: true });
    expectSameArray(within.offsets, withinSync.offsets);
    expectSameArray(within.indices, withinSync.indices);
    const near = await index.nearestAsync(points, 2, 6, { threads });
    const nearSync = index.nearest(points, 2, 6, { threads });
    expectSameArray(near.indices, nearSync.indices);
    expectSameArray(near.distances, nearSync.distances);
  });

  test("inputs are copied: mutating the points right after the call changes nothing", async () => {
    const copy = points.slice();
    const expected = index.bestMatch(copy, 3, { threads });
    const pending = index.bestMatchAsync(copy, 3, { threads });
    copy.fill(-1000);
    expectSameArray(await pending, expected);
  });

  test("an aborted signal rejects with an AbortError before any work", async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(index.bestMatchAsync(points, 3, { threads, signal: controller.signal })).rejects.toMatchObject({ name: "AbortError" });
  });

  test("bad input rejects with the same error as the sync call", async () => {
    await expect(index.withinDistanceAsync(Float64Array.of(1), 3, { threads })).rejects.toThrow(
      new RangeError("points must hold x, y pairs (even length), got Float64Array(1)"),
    );
    await expect(index.nearestAsync(points, 0, 3, { threads })).rejects.toThrow(RangeError);
    await expect(index.bestMatchAsync(points, 3, { threads, signal: "stop" as never })).rejects.toThrow(TypeError);
  });
});

test("aborting while a long query runs rejects with an AbortError (native and reference)", async () => {
  const many = latticePoints(7, 200_000, 60);
  for (const threads of [1, 2]) {
    const index = new PolygonIndex(data, { threads });
    const controller = new AbortController();
    const pending = index.nearestAsync(many, 8, 50, { threads, signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: "AbortError" });
    // The pool keeps working afterwards.
    expectSameArray(await index.bestMatchAsync(many.subarray(0, 2000), 3, { threads }), index.bestMatch(many.subarray(0, 2000), 3, { threads }));
  }
  const reference = new PolygonIndex(data, { threads: 0 });
  const controller = new AbortController();
  const pending = reference.withinDistanceAsync(many.subarray(0, 20_000), 3, { threads: 0, signal: controller.signal });
  setImmediate(() => controller.abort(new Error("stop now")));
  await expect(pending).rejects.toThrow("stop now");
});
