/** Brasa's export file: lossless round trip, what a selection takes along, bad files refused. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { TAG_PARENT_RUN_ID } from '../../www/src/tracking/shared/model';
import { decodeBundle, encodeBundle, selectSnapshot } from '../../www/src/tracking/shared/snapshot';
import { readLoggedModel } from '../../www/src/tracking/shared/logged-model';
import { readRecordedJob } from '../../www/src/tracking/shared/recorded-job';
import { allEstimatorsSnapshot, recordedSnapshot } from './fixtures';

describe('export bundle', () => {
  it('decodes to the same records and encodes to the same bytes', () => {
    const snapshot = recordedSnapshot();
    const text = encodeBundle(snapshot);
    const back = decodeBundle(text);
    assert.equal(encodeBundle(back), text);
    assert.deepEqual(back.artifacts.map((a) => [...a.bytes]), [...snapshot.artifacts].sort((a, b) => a.path.localeCompare(b.path)).map((a) => [...a.bytes]));
    // Order of records and of their keys does not matter.
    assert.equal(encodeBundle({ ...snapshot, runs: [...snapshot.runs].reverse() }), text);
  });

  it('round-trips runs of every estimator, whose models and jobs read back', () => {
    const snapshot = allEstimatorsSnapshot();
    const text = encodeBundle(snapshot);
    const back = decodeBundle(text);
    assert.equal(encodeBundle(back), text);
    const read = (path: string) => back.artifacts.filter((a) => a.path === path).map((a) => JSON.parse(new TextDecoder().decode(a.bytes)));
    assert.deepEqual(read('model/model.json').map((m) => readLoggedModel(m).model.kind).sort(), ['kMeans', 'linearRegression', 'logisticRegression']);
    assert.deepEqual(read('job.json').map((j) => readRecordedJob(j).spec.estimator).sort(), ['kMeans', 'logisticRegression']);
    assert.equal(selectSnapshot(snapshot, { all: true }), snapshot);
    assert.deepEqual(selectSnapshot(snapshot, { experimentId: '9' }).registeredModels.map((m) => m.name), ['segments']);
  });

  it('a selected parent takes its children, its model versions and their aliases', () => {
    const snapshot = recordedSnapshot();
    const parent = snapshot.runs.find((r) => !r.tags[TAG_PARENT_RUN_ID])!;
    const child = snapshot.runs.find((r) => r.tags[TAG_PARENT_RUN_ID])!;
    const withParent = selectSnapshot(snapshot, { runIds: [parent.runId] });
    assert.equal(withParent.runs.length, 5);
    assert.deepEqual(withParent.registeredModels[0].aliases, { champion: 1 });
    const childOnly = selectSnapshot(snapshot, { runIds: [child.runId] });
    assert.equal(childOnly.runs.length, 1);
    assert.deepEqual(childOnly.modelVersions, []);
    assert.deepEqual(childOnly.registeredModels, []);
    assert.equal(selectSnapshot(snapshot, { experimentId: '7' }).runs.length, 5);
  });

  it('refuses files that are not an export, saying why', () => {
    assert.throws(() => decodeBundle('{'), /not JSON/);
    assert.throws(() => decodeBundle('{"format":"x"}'), /not a Brasa tracking export/);
    assert.throws(() => decodeBundle('{"format":"brasa-tracking","version":9}'), /version 9/);
    const text = encodeBundle(recordedSnapshot()).replace(/"runId": "[0-9a-f]{32}"/, '"runId": "../x"');
    assert.throws(() => decodeBundle(text), /invalid id/);
  });
});
