/** What Predict checks before scoring (the model URI, the columns a model reads) and says after (the rows it kept). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { PIPELINE_VERSION, type PipelineSpec } from '../../www/src/clean/shared/pipeline';
import { parseModelUri } from '../../www/src/tracking/shared/model-uri';
import { requiredColumns, schemaProblems } from '../../www/src/tracking/shared/schema-check';
import { predictionRowsText, rowRemovers } from '../../www/src/models/shared/prediction-rows';

describe('model URIs', () => {
  it("reads MLflow's forms", () => {
    assert.deepEqual(parseModelUri('models:/spend@champion'), { kind: 'alias', name: 'spend', alias: 'champion' });
    assert.deepEqual(parseModelUri(' spend@challenger '), { kind: 'alias', name: 'spend', alias: 'challenger' });
    assert.deepEqual(parseModelUri('models:/spend/3'), { kind: 'version', name: 'spend', version: 3 });
    assert.deepEqual(parseModelUri('spend/12'), { kind: 'version', name: 'spend', version: 12 });
    assert.deepEqual(parseModelUri('models:/spend/latest'), { kind: 'latest', name: 'spend' });
    assert.deepEqual(parseModelUri('team/spend@champion'), { kind: 'alias', name: 'team/spend', alias: 'champion' });
  });

  it('says what is wrong', () => {
    assert.throws(() => parseModelUri(''), /name@alias/);
    assert.throws(() => parseModelUri('spend'), /write spend@champion or spend\/1/);
    assert.throws(() => parseModelUri('spend/0'), /"0" is not a version number/);
    assert.throws(() => parseModelUri('spend@'), /not name@alias/);
  });
});

describe('columns a model reads', () => {
  const training = [
    { name: 'age', type: 'int' },
    { name: 'plan', type: 'string' },
    { name: 'income', type: 'double' },
    { name: 'region', type: 'string' },
    { name: 'tenure', type: 'string' },
    { name: 'monthly_spend', type: 'double' },
  ];

  it('without a pipeline: the features', () => {
    assert.deepEqual(requiredColumns(training, ['age', 'income']).map((c) => c.name), ['age', 'income']);
  });

  it('with a pipeline: what its steps read before any step made it', () => {
    const pipeline: PipelineSpec = {
      version: PIPELINE_VERSION,
      steps: [
        { op: 'filter', condition: "region <> 'test' AND income > 0" },
        { op: 'cast', column: 'tenure', dataType: 'double' },
        { op: 'stringIndexer', inputCols: ['plan'], outputCols: ['plan_idx'], stringOrderType: 'frequencyDesc', handleInvalid: 'keep' },
        { op: 'withColumn', column: 'age2', expr: 'age * age' },
      ],
    };
    const required = requiredColumns(training, ['age2', 'plan_idx', 'tenure', 'income'], pipeline);
    assert.deepEqual(required.map((c) => [c.name, c.type, c.anyType]), [
      ['income', 'double', false],
      ['region', 'string', false],
      ['tenure', 'string', true],
      ['plan', 'string', false],
      ['age', 'int', false],
    ]);
    // A cast accepts any type; other columns keep their kind (int and double are both numbers).
    assert.deepEqual(schemaProblems(required, [
      { name: 'REGION', type: 'string' }, { name: 'income', type: 'bigint' }, { name: 'tenure', type: 'int' },
      { name: 'plan', type: 'string' }, { name: 'age', type: 'double' },
    ]), []);
    assert.deepEqual(schemaProblems(required, [{ name: 'income', type: 'string' }, { name: 'plan', type: 'int' }, { name: 'tenure', type: 'int' }]), [
      'missing columns: region, age',
      'mistyped: income is string, the model was trained on double; plan is int, the model was trained on string',
    ]);
  });

  it('one-hot slots are made by the pipeline, not read from the table', () => {
    const pipeline: PipelineSpec = {
      version: PIPELINE_VERSION,
      steps: [
        { op: 'stringIndexer', inputCols: ['plan'], outputCols: ['plan_index'], stringOrderType: 'frequencyDesc', handleInvalid: 'error' },
        { op: 'oneHotEncoder', inputCols: ['plan_index'], outputCols: ['plan_vec'], dropLast: true, handleInvalid: 'error' },
      ],
    };
    const required = requiredColumns(training, ['plan_vec_basic', 'plan_vec_pro', 'income'], pipeline);
    assert.deepEqual(required.map((c) => c.name), ['plan', 'income']);
  });
});

describe('rows a prediction kept', () => {
  it('says how many rows went in and out, and what may have removed them', () => {
    const pipeline: PipelineSpec = {
      version: PIPELINE_VERSION,
      steps: [
        { op: 'filter', condition: 'age >= 18' },
        { op: 'stringIndexer', inputCols: ['plan'], outputCols: ['plan_idx'], stringOrderType: 'frequencyDesc', handleInvalid: 'skip' },
        { op: 'cast', column: 'age', dataType: 'double' },
      ],
    };
    const removers = rowRemovers(pipeline, 'skip');
    assert.deepEqual(removers, [
      "the pipeline's filter (age >= 18)",
      "the pipeline's StringIndexer skipping unseen or NULL plan",
      'handleInvalid = skip (a NULL or NaN feature)',
    ]);
    assert.equal(predictionRowsText(1200, 1150, removers.slice(0, 1)), "1,200 rows in, 1,150 predictions (50 removed by the pipeline's filter (age >= 18))");
    assert.equal(predictionRowsText(40, 40, removers), '40 rows in, 40 predictions');
    assert.deepEqual(rowRemovers(undefined, 'keep'), []);
    assert.equal(predictionRowsText(2, 1, []), '2 rows in, 1 prediction (1 removed)');
  });
});
