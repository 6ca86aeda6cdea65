/** MLflow's run filter syntax: parsing, errors with their column, and matching runs. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { Run } from '../../www/src/tracking/shared/model';
import { SearchSyntaxError, matches, parseFilter } from '../../www/src/tracking/shared/search';

function run(over: Partial<Run>): Run {
  return {
    runId: 'a'.repeat(32), experimentId: '0', runName: 'r1', status: 'FINISHED', startTime: 1000, endTime: 2000,
    lifecycleStage: 'active', params: {}, metrics: {}, tags: {}, inputs: [], artifacts: [], ...over,
  };
}
const at = (value: number, step = 0) => ({ value, timestamp: 1, step });

describe('MLflow search filter', () => {
  const good = run({ params: { regParam: '0.1' }, metrics: { rmse: [at(12), at(8, 1)] }, tags: { 'mlflow.runName': 'r1', team: 'churn' } });
  const bad = run({ params: { regParam: '1' }, metrics: { rmse: [at(20)] }, status: 'FAILED' });

  it('parses and applies the issue example', () => {
    const clauses = parseFilter("metrics.rmse < 10 and params.regParam = '0.1'");
    assert.deepEqual(clauses, [
      { entity: 'metrics', key: 'rmse', comparator: '<', value: 10 },
      { entity: 'params', key: 'regParam', comparator: '=', value: '0.1' },
    ]);
    // The latest value (largest step) is the one compared: 8, not 12.
    assert.equal(matches(good, clauses), true);
    assert.equal(matches(bad, clauses), false);
  });

  it('reads attributes, dotted and quoted tag keys, LIKE and IN', () => {
    assert.equal(matches(bad, parseFilter("attributes.status = 'FAILED'")), true);
    assert.equal(matches(good, parseFilter("attributes.status != 'FAILED' AND tags.mlflow.runName = 'r1'")), true);
    assert.equal(matches(good, parseFilter("tags.`mlflow.runName` LIKE 'r%'")), true);
    assert.equal(matches(good, parseFilter("tags.team ILIKE 'CH_RN'")), true);
    assert.equal(matches(good, parseFilter("params.regParam IN ('0.01', '0.1')")), true);
    assert.equal(matches(good, parseFilter("params.regParam NOT IN ('0.1')")), false);
    assert.equal(matches(good, parseFilter('attributes.start_time >= 1000')), true);
    assert.deepEqual(parseFilter('  '), []);
  });

  it('a run without the key does not match', () => {
    assert.equal(matches(bad, parseFilter("tags.team = 'churn'")), false);
    assert.equal(matches(bad, parseFilter('metrics.r2 > 0')), false);
  });

  it('explains syntax errors with their column', () => {
    const cases: [string, RegExp, number][] = [
      ['metrics.rmse < ten', /compared with a number, found "ten"/, 16],
      ["params.regParam < '1'", /can be compared with =, !=, LIKE/, 17],
      ['rmse < 1', /"rmse" is not metrics\., params\., tags\. or attributes\./, 1],
      ["metrics.rmse < 1 or params.a = 'b'", /no OR/, 18],
      ["params.a = 'b", /unterminated string/, 12],
      ['metrics.rmse <', /the filter ended/, 15],
      ["attributes.color = 'x'", /unknown attribute "color"/, 12],
      ['params.a = b', /quoted string/, 12],
    ];
    for (const [text, message, column] of cases) {
      assert.throws(() => parseFilter(text), (error: unknown) => {
        assert.ok(error instanceof SearchSyntaxError, text);
        assert.match(error.message, message, text);
        assert.equal(error.column, column, `${text}: ${error.message}`);
        return true;
      });
    }
  });
});
