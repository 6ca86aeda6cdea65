//! A synthetic telecom customer table: the bundled sample, the benchmark data and test
//! input. Deterministic for a seed, so benchmarks and fixtures can be regenerated instead
//! of committed.
//!
//! `monthly_spend` is a linear function of the plan, data use, support tickets and age
//! plus noise, so a linear regression on it has a known answer; `churned` depends on
//! tickets and contract. Categorical columns and a few percent of nulls in `region`,
//! `age`, `income` and `monthly_spend` give the cleaning steps something to do.

use std::io::Write;
use std::sync::Arc;

use arrow_array::{
    ArrayRef, BooleanArray, Date32Array, Float64Array, Int32Array, RecordBatch, StringArray,
    TimestampMicrosecondArray,
};
use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, LogNormal, Normal, Poisson};

use crate::temporal::{days_from_civil, format_date, format_timestamp_micros};

pub const REGIONS: [&str; 5] = ["north", "south", "east", "west", "central"];
pub const PLANS: [&str; 4] = ["basic", "standard", "premium", "unlimited"];
pub const CONTRACTS: [&str; 3] = ["month-to-month", "one-year", "two-year"];
/// The monthly base price of each plan, in the order of [`PLANS`].
pub const PLAN_BASE_SPEND: [f64; 4] = [20.0, 35.0, 55.0, 80.0];

/// The table's schema, as the CSV reader infers it from the generated CSV.
pub fn telecom_schema() -> SchemaRef {
    let utc = Some(Arc::<str>::from("UTC"));
    Arc::new(Schema::new(vec![
        Field::new("customer_id", DataType::Int32, true),
        Field::new("signup_date", DataType::Date32, true),
        Field::new("region", DataType::Utf8, true),
        Field::new("plan", DataType::Utf8, true),
        Field::new("contract", DataType::Utf8, true),
        Field::new("age", DataType::Int32, true),
        Field::new("income", DataType::Float64, true),
        Field::new("tenure_months", DataType::Int32, true),
        Field::new("data_gb", DataType::Float64, true),
        Field::new("support_tickets", DataType::Int32, true),
        Field::new("monthly_spend", DataType::Float64, true),
        Field::new("churned", DataType::Boolean, true),
        Field::new(
            "last_active",
            DataType::Timestamp(TimeUnit::Microsecond, utc),
            true,
        ),
    ]))
}

/// The whole table of `rows` rows for `seed`, in partitions of `partition_rows` rows (what
/// the native benchmarks run on).
pub fn telecom_table(seed: u64, rows: usize, partition_rows: usize) -> crate::Result<crate::Table> {
    let partitions = (0..rows)
        .step_by(partition_rows.max(1))
        .map(|first| telecom_batch(seed, first as u64, partition_rows.min(rows - first)))
        .collect();
    crate::Table::try_new(telecom_schema(), partitions)
}

/// Rows `first..first + count` of the table for `seed`. Every row depends only on the
/// seed and its own index, so the table can be generated in any number of pieces.
pub fn telecom_batch(seed: u64, first: u64, count: usize) -> RecordBatch {
    let mut cols = Columns::default();
    for row in first..first + count as u64 {
        cols.push(&Customer::generate(seed, row));
    }
    cols.finish()
}

/// Writes rows `first..first + count` as CSV lines (no header).
pub fn write_telecom_csv(
    out: &mut impl Write,
    seed: u64,
    first: u64,
    count: usize,
) -> std::io::Result<()> {
    let mut line = String::with_capacity(128);
    for row in first..first + count as u64 {
        line.clear();
        Customer::generate(seed, row).write_csv(&mut line);
        out.write_all(line.as_bytes())?;
    }
    Ok(())
}

/// The CSV header line.
pub fn telecom_csv_header() -> String {
    let names: Vec<String> = telecom_schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    format!("{}\n", names.join(","))
}

/// One generated row; money is kept in cents so CSV text and binary values agree exactly.
struct Customer {
    customer_id: i32,
    signup_days: i32,
    region: Option<&'static str>,
    plan: usize,
    contract: &'static str,
    age: Option<i32>,
    income_cents: Option<i64>,
    tenure_months: i32,
    data_gb_tenths: i64,
    support_tickets: i32,
    spend_cents: Option<i64>,
    churned: bool,
    last_active_micros: i64,
}

impl Customer {
    fn generate(seed: u64, row: u64) -> Customer {
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ row.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let start = days_from_civil(2015, 1, 1) as i32;
        let end = days_from_civil(2024, 12, 31) as i32;
        let signup_days = rng.random_range(start..=end);
        let region =
            (!rng.random_bool(0.02)).then(|| REGIONS[weighted(&mut rng, &[30, 25, 20, 15, 10])]);
        let plan = weighted(&mut rng, &[35, 30, 25, 10]);
        let contract = CONTRACTS[weighted(&mut rng, &[55, 25, 20])];
        let age_value: f64 = Normal::new(42.0, 13.0).expect("valid").sample(&mut rng);
        let age = (!rng.random_bool(0.03)).then(|| (age_value as i32).clamp(18, 90));
        let income: f64 = LogNormal::new(10.8, 0.5).expect("valid").sample(&mut rng);
        let income_cents = (!rng.random_bool(0.05)).then(|| (income * 100.0).round() as i64);
        let tenure_months = ((end - signup_days) / 30).max(1);
        let usage: f64 = LogNormal::new(1.6 + plan as f64 * 0.45, 0.6)
            .expect("valid")
            .sample(&mut rng);
        let data_gb_tenths = ((usage * 10.0).round() as i64).clamp(0, 5_000);
        let tickets: f64 = Poisson::new(1.2).expect("valid").sample(&mut rng);
        let support_tickets = tickets as i32;
        let noise: f64 = Normal::new(0.0, 4.0).expect("valid").sample(&mut rng);
        let age_term = age.map_or(0.0, |a| 0.08 * (a as f64 - 40.0));
        let spend = PLAN_BASE_SPEND[plan]
            + 1.15 * data_gb_tenths as f64 / 10.0
            + 2.5 * support_tickets as f64
            + age_term
            + noise;
        let spend_cents = (!rng.random_bool(0.01)).then(|| (spend.max(5.0) * 100.0).round() as i64);
        let churn_logit = -2.2 + 0.45 * support_tickets as f64
            - if contract == "month-to-month" {
                0.0
            } else {
                1.3
            };
        let churned = rng.random_bool(1.0 / (1.0 + (-churn_logit).exp()));
        let active_day =
            rng.random_range(days_from_civil(2024, 6, 1)..=days_from_civil(2024, 12, 31));
        let second_of_day = rng.random_range(0..86_400i64);
        Customer {
            customer_id: 100_000 + row as i32,
            signup_days,
            region,
            plan,
            contract,
            age,
            income_cents,
            tenure_months,
            data_gb_tenths,
            support_tickets,
            spend_cents,
            churned,
            last_active_micros: (active_day * 86_400 + second_of_day) * 1_000_000,
        }
    }

    fn write_csv(&self, line: &mut String) {
        use std::fmt::Write as _;
        let cents =
            |c: Option<i64>| c.map_or(String::new(), |c| format!("{}.{:02}", c / 100, c % 100));
        let _ = writeln!(
            line,
            "{},{},{},{},{},{},{},{},{}.{},{},{},{},{}",
            self.customer_id,
            format_date(self.signup_days as i64),
            self.region.unwrap_or(""),
            PLANS[self.plan],
            self.contract,
            self.age.map_or(String::new(), |a| a.to_string()),
            cents(self.income_cents),
            self.tenure_months,
            self.data_gb_tenths / 10,
            self.data_gb_tenths % 10,
            self.support_tickets,
            cents(self.spend_cents),
            self.churned,
            format_timestamp_micros(self.last_active_micros),
        );
    }
}

#[derive(Default)]
struct Columns {
    customer_id: Vec<i32>,
    signup: Vec<i32>,
    region: Vec<Option<&'static str>>,
    plan: Vec<&'static str>,
    contract: Vec<&'static str>,
    age: Vec<Option<i32>>,
    income: Vec<Option<f64>>,
    tenure: Vec<i32>,
    data_gb: Vec<f64>,
    tickets: Vec<i32>,
    spend: Vec<Option<f64>>,
    churned: Vec<bool>,
    last_active: Vec<i64>,
}

impl Columns {
    fn push(&mut self, c: &Customer) {
        self.customer_id.push(c.customer_id);
        self.signup.push(c.signup_days);
        self.region.push(c.region);
        self.plan.push(PLANS[c.plan]);
        self.contract.push(c.contract);
        self.age.push(c.age);
        self.income.push(c.income_cents.map(|v| v as f64 / 100.0));
        self.tenure.push(c.tenure_months);
        self.data_gb.push(c.data_gb_tenths as f64 / 10.0);
        self.tickets.push(c.support_tickets);
        self.spend.push(c.spend_cents.map(|v| v as f64 / 100.0));
        self.churned.push(c.churned);
        self.last_active.push(c.last_active_micros);
    }

    fn finish(self) -> RecordBatch {
        let columns: Vec<ArrayRef> = vec![
            Arc::new(Int32Array::from(self.customer_id)),
            Arc::new(Date32Array::from(self.signup)),
            Arc::new(StringArray::from(self.region)),
            Arc::new(StringArray::from(self.plan)),
            Arc::new(StringArray::from(self.contract)),
            Arc::new(Int32Array::from(self.age)),
            Arc::new(Float64Array::from(self.income)),
            Arc::new(Int32Array::from(self.tenure)),
            Arc::new(Float64Array::from(self.data_gb)),
            Arc::new(Int32Array::from(self.tickets)),
            Arc::new(Float64Array::from(self.spend)),
            Arc::new(BooleanArray::from(self.churned)),
            Arc::new(TimestampMicrosecondArray::from(self.last_active).with_timezone("UTC")),
        ];
        RecordBatch::try_new(telecom_schema(), columns).expect("columns match the schema")
    }
}

/// Index drawn with the given integer weights.
fn weighted(rng: &mut impl Rng, weights: &[u32]) -> usize {
    let total: u32 = weights.iter().sum();
    let mut pick = rng.random_range(0..total);
    for (i, &w) in weights.iter().enumerate() {
        if pick < w {
            return i;
        }
        pick -= w;
    }
    weights.len() - 1
}
