/**
 * The SQLTransformer statements the Spark export writes for dropna, fillna and
 * dropDuplicates, and the columns the exported model reads (its signature). What the
 * statements give in real Spark is checked in mlflow-model.test.ts. An import reads each
 * statement back as the step that wrote it (spark-sql-steps.ts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { PIPELINE_VERSION, type PipelineSpec, type Step } from '../../www/src/clean/shared/pipeline';
import { loggedModel } from '../../www/src/tracking/shared/logged-model';
import { exportedInputs, requiredColumns, type SchemaColumn } from '../../www/src/tracking/shared/schema-check';
import { dataFrameStep } from '../../www/src/tracking/shared/spark-sql-steps';
import { sparkStages } from '../../www/src/tracking/shared/spark-stages';
import { result, spec } from './fixtures';

/** The training table: the features, the label, and columns no step names. */
const TABLE = [
  { name: 'id', type: 'bigint' },
  { name: 'age', type: 'int' },
  { name: 'tenure_months', type: 'double' },
  { name: 'data_gb', type: 'float' },
  { name: 'plan', type: 'string' },
  { name: 'monthly_spend', type: 'double' },
];

const pipelineOf = (...steps: Step[]): PipelineSpec => ({ version: PIPELINE_VERSION, steps });

/** The model logged after `pipeline` (as the recorder logs it), and its stages' SQL statements. */
function statements(pipeline: PipelineSpec, table = TABLE, inputSchema = requiredColumns(TABLE, spec.features, pipeline), stepColumns?: SchemaColumn[][]): string[] {
  const model = loggedModel(result, { ...spec, pipeline }, inputSchema.map(({ name, type }) => ({ name, type })), stepColumns);
  return sparkStages(model, pipeline, table)
    .filter((s) => s.uidPrefix === 'SQLTransformer')
    .map((s) => String(s.params.find((p) => p.name === 'statement')?.value));
}

const present = (c: string) => `CASE WHEN \`${c}\` IS NOT NULL THEN 1 ELSE 0 END`;
const presentFloat = (c: string) => `CASE WHEN (\`${c}\` IS NOT NULL AND NOT isnan(\`${c}\`)) THEN 1 ELSE 0 END`;

describe('dropna, fillna and dropDuplicates as Spark SQL', () => {
  it('dropna without a subset counts every column of the table at that step', () => {
    const [sql] = statements(pipelineOf({ op: 'drop', columns: ['plan'] }, { op: 'dropna', how: 'any' })).slice(1);
    const count = [present('id'), present('age'), presentFloat('tenure_months'), presentFloat('data_gb'), presentFloat('monthly_spend')].join(' + ');
    // The note says there was no subset (Spark skips it; an import reads it).
    assert.equal(sql, `SELECT * FROM __THIS__ WHERE (${count}) >= 5 /* Brasa: every column */`);
    const [all] = statements(pipelineOf({ op: 'dropna', how: 'all' }));
    assert.match(all, / >= 1 \/\* Brasa: every column \*\/$/);
    const [thresh] = statements(pipelineOf({ op: 'dropna', how: 'any', thresh: 4 }));
    assert.match(thresh, / >= 4 \/\* Brasa: every column \*\/$/);
  });

  it("a one-hot vector counts for Brasa's slot columns", () => {
    const pipeline = pipelineOf(
      { op: 'stringIndexer', inputCols: ['plan'], outputCols: ['plan_idx'], stringOrderType: 'frequencyDesc', handleInvalid: 'keep', fitted: { labels: [['basic', 'plus', 'pro']] } },
      { op: 'oneHotEncoder', inputCols: ['plan_idx'], outputCols: ['plan_vec'], dropLast: true, handleInvalid: 'keep', fitted: { categorySizes: [3], categoryNames: [['basic', 'plus', 'pro']] } },
      { op: 'dropna', how: 'any' },
    );
    // 3 categories and the invalid slot, the last dropped: 3 slot columns.
    const [sql] = statements(pipeline);
    assert.match(sql, /CASE WHEN `plan_vec` IS NOT NULL THEN 3 ELSE 0 END\) >= 10 \/\* Brasa: every column \*\/$/);
  });

  it('fillna casts the fill to the type the training table gives the column', () => {
    const [sql] = statements(pipelineOf({ op: 'fillna', values: { age: 2.7, plan: "o'neil", monthly_spend: 0 } }));
    assert.equal(
      sql,
      // `id` is not listed: no step reads it, so the Spark DataFrame does not have it.
      'SELECT CASE WHEN `age` IS NOT NULL THEN `age` ELSE CAST(2.7 AS int) END AS `age`, `tenure_months`, `data_gb`, ' +
        "CASE WHEN `plan` IS NOT NULL THEN `plan` ELSE 'o\\'neil' END AS `plan`, " +
        'CASE WHEN (`monthly_spend` IS NOT NULL AND NOT isnan(`monthly_spend`)) THEN `monthly_spend` ELSE CAST(0 AS double) END AS `monthly_spend` FROM __THIS__',
    );
  });

  it('dropDuplicates keeps the first row of each key, in order', () => {
    const [subset] = statements(pipelineOf({ op: 'dropDuplicates', subset: ['PLAN', 'age'] }));
    const first = (c: string) => `min_by(\`${c}\`, \`__brasa_row\`) AS \`${c}\``;
    assert.equal(
      subset,
      'SELECT `age`, `tenure_months`, `data_gb`, `plan` FROM (' +
        `SELECT \`age\`, ${first('tenure_months')}, ${first('data_gb')}, \`plan\`, min(\`__brasa_row\`) AS \`__brasa_first_row\` FROM (` +
        'SELECT *, monotonically_increasing_id() AS `__brasa_row` FROM __THIS__) GROUP BY `plan`, `age`) ORDER BY `__brasa_first_row`',
    );
    const [whole] = statements(pipelineOf({ op: 'drop', columns: ['id'] }, { op: 'dropDuplicates' })).slice(1);
    assert.match(whole, /GROUP BY `age`, `tenure_months`, `data_gb`, `plan`, `monthly_spend`\) ORDER BY/);
    assert.doesNotMatch(whole, /min_by/);
  });

  it('the signature lists the columns the steps reading every column need', () => {
    const pipeline = pipelineOf({ op: 'select', columns: [{ name: 'age' }, { name: 'tenure_months' }, { name: 'data_gb' }, { name: 'plan', alias: 'p' }] }, { op: 'dropna', how: 'any' });
    const inputs = requiredColumns(TABLE, spec.features, pipeline);
    assert.deepEqual(exportedInputs(inputs, spec.features, pipeline, TABLE).map((c) => c.name), ['age', 'tenure_months', 'data_gb', 'plan']);
    const everything = pipelineOf({ op: 'dropDuplicates' });
    // Predict's check leaves them out: its dropDuplicates reads the columns of the file it scores.
    assert.deepEqual(requiredColumns(TABLE, spec.features, everything).map((c) => c.name), ['age', 'tenure_months', 'data_gb']);
    // A fill reads its column (Brasa's fillna fails without it).
    assert.deepEqual(requiredColumns(TABLE, spec.features, pipelineOf({ op: 'fillna', values: { plan: 'none' } })).map((c) => c.name), ['plan', 'age', 'tenure_months', 'data_gb']);
    assert.deepEqual(
      exportedInputs(requiredColumns(TABLE, spec.features, everything), spec.features, everything, TABLE).map((c) => c.name),
      ['age', 'tenure_months', 'data_gb', 'id', 'plan', 'monthly_spend'],
    );
  });
});

describe('the statements read back as the steps that wrote them (an import)', () => {
  /** Each SQLTransformer's statement read back, in order. */
  const readBack = (pipeline: PipelineSpec) => statements(pipeline).map(dataFrameStep);

  const cases: Record<string, Step[]> = {
    'filter, withColumn (new and replacing), cast': [
      { op: 'filter', condition: "age >= 18 AND plan <> 'a, (b'" },
      { op: 'withColumn', column: 'ratio', expr: 'age / 2' },
      { op: 'withColumn', column: 'monthly_spend', expr: 'coalesce(monthly_spend, 0) * 1.1' },
      { op: 'cast', column: 'age', dataType: 'decimal(10,2)' },
    ],
    'fillna of numbers, strings and booleans': [{ op: 'fillna', values: { tenure_months: 2.5, age: -3, plan: "o'neil, \\x */" } }],
    'dropna with a subset: how, thresh': [
      { op: 'dropna', how: 'any', subset: ['age', 'data_gb'] },
      { op: 'dropna', how: 'all', subset: ['age', 'plan', 'tenure_months'] },
      { op: 'dropna', how: 'any', thresh: 2, subset: ['age', 'plan', 'tenure_months'] },
    ],
    'dropna and dropDuplicates without a subset': [{ op: 'dropna', how: 'any', thresh: 3 }, { op: 'dropna', how: 'all' }, { op: 'dropDuplicates' }],
    'dropDuplicates on a key, select, drop': [
      { op: 'dropDuplicates', subset: ['plan', 'age'] },
      { op: 'select', columns: [{ name: 'age' }, { name: 'tenure_months' }, { name: 'data_gb' }, { name: 'plan', alias: 'p' }, { name: 'id' }] },
      // `notes` is not a column the model reads: the drop's note names it.
      { op: 'drop', columns: ['id', 'notes */'] },
    ],
  };
  for (const [name, steps] of Object.entries(cases)) {
    it(name, () => assert.deepEqual(readBack(pipelineOf(...steps)), steps));
  }

  it('names as the table spells them, dropna\'s threshold as the one it makes', () => {
    assert.deepEqual(readBack(pipelineOf({ op: 'dropDuplicates', subset: ['PLAN', 'age'] })), [{ op: 'dropDuplicates', subset: ['plan', 'age'] }]);
    assert.deepEqual(readBack(pipelineOf({ op: 'dropna', how: 'any', thresh: 2, subset: ['age', 'plan'] }, { op: 'dropna', how: 'all', subset: ['age'] })), [
      { op: 'dropna', how: 'any', subset: ['age', 'plan'] },
      { op: 'dropna', how: 'any', subset: ['age'] },
    ]);
  });

  it('other SQL is no step', () => {
    for (const sql of [
      'SELECT a, b FROM __THIS__',
      'SELECT *, a + 1 AS b FROM __THIS__',
      'SELECT * FROM __THIS__ WHERE (CASE WHEN a > 1 THEN 1 ELSE 0 END) >= 1',
      'SELECT `a`, CAST(`b` AS int) AS `c` FROM __THIS__',
      "SELECT `a`, CASE WHEN `a` IS NOT NULL THEN `a` ELSE 'x' END AS `a`, (b) AS `b` FROM __THIS__",
      'SELECT `a` FROM __THIS__ /* Brasa: every column */',
      'SELECT * FROM __THIS__ WHERE (a) /* Brasa: drop ["a"] */',
      'SELECT `a` FROM (SELECT `a`, min(`__brasa_row`) AS `__brasa_first_row` FROM (SELECT * FROM __THIS__) GROUP BY `a`) ORDER BY `__brasa_first_row`',
    ]) {
      assert.equal(dataFrameStep(sql), null, sql);
    }
  });
});

describe('what the export refuses', () => {
  const refused = (pipeline: PipelineSpec, message: RegExp, table = TABLE) =>
    assert.throws(
      () => statements(pipeline, table),
      (error: Error & { code?: string }) => error.code === 'MODEL_EXPORT' && message.test(error.message),
    );

  it("a step reading every column when the run did not record the table's columns", () => {
    refused(pipelineOf({ op: 'dropna', how: 'any' }), /step 1 of the cleaning pipeline \(dropna\) reads every column of the table, and the run did not record/, []);
    refused(pipelineOf({ op: 'dropDuplicates' }), /step 1 .*\(dropDuplicates\) reads every column/, []);
  });

  it('a fill of a withColumn result when the run did not record the types the steps made', () => {
    refused(pipelineOf({ op: 'withColumn', column: 'ratio', expr: 'age / 2' }, { op: 'fillna', values: { ratio: 0 } }), /step 2 .*\(fillna\) fills ratio, made by withColumn, whose type the run did not record/);
    // A cast makes the type known.
    const [, , sql] = statements(pipelineOf({ op: 'withColumn', column: 'ratio', expr: 'age / 2' }, { op: 'cast', column: 'ratio', dataType: 'double' }, { op: 'fillna', values: { ratio: 0 } }));
    assert.match(sql, /ELSE CAST\(0 AS double\) END AS `ratio`/);
  });
});

describe('a fill of a withColumn result', () => {
  it('is cast to the type the engine gave the column in training (the recorded step columns)', () => {
    const pipeline = pipelineOf({ op: 'withColumn', column: 'band', expr: 'age + 1' }, { op: 'withColumn', column: 'band', expr: 'band * 2' }, { op: 'fillna', values: { band: 2.7 } });
    const stepColumns = [[...TABLE, { name: 'band', type: 'int' }], [...TABLE, { name: 'band', type: 'bigint' }], [...TABLE, { name: 'band', type: 'bigint' }]];
    const [, , sql] = statements(pipeline, TABLE, requiredColumns(TABLE, spec.features, pipeline), stepColumns);
    assert.match(sql, /CASE WHEN `band` IS NOT NULL THEN `band` ELSE CAST\(2\.7 AS bigint\) END AS `band`/);
    // A type no statement can cast to stays unknown: the fill is refused.
    const made = [[...TABLE, { name: 'band', type: 'void' }]];
    assert.throws(() => statements(pipelineOf(pipeline.steps[0], pipeline.steps[2]), TABLE, requiredColumns(TABLE, spec.features, pipeline), made), /fills band, made by withColumn/);
  });
});
