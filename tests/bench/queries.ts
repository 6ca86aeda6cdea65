/** The four queries of issue 3, on `t` (a view over the loaded table). */
export const QUERIES = [
  'SELECT region, plan, count(*), avg(monthly_spend), sum(data_gb) FROM t WHERE age >= 0 GROUP BY region, plan ORDER BY region, plan',
  'SELECT customer_id, monthly_spend FROM t WHERE churned AND support_tickets > 2 ORDER BY monthly_spend DESC LIMIT 100',
  'SELECT count(DISTINCT region), min(signup_date), max(signup_date), stddev(income) FROM t',
  'SELECT count(*) FROM t JOIN (SELECT region, avg(monthly_spend) a FROM t GROUP BY region) r USING (region) WHERE t.monthly_spend > r.a',
];
