import { labelsUsed, seriesNames } from './promql';

/** The reader the dashboard check relies on: if it missed a series, the check could not fail. */
describe('reading series and labels out of PromQL', () => {
  it('finds the selected series, not functions, keywords, labels, strings, numbers or durations', () => {
    const expr = `histogram_quantile(0.95, sum by (le, task_queue) (rate(a_seconds_bucket{x="sum(y)"}[5m])))
      / on (job) group_left(instance) b_total offset 1h > bool 0.5
      and sum(increase(c_total[$__rate_interval])) >= 1e3 or absent(d{worker_type="W"}) unless label_replace(e, "f", "$1", "g", "(.*)")`;
    expect([...seriesNames(expr)].sort()).toEqual(['a_seconds_bucket', 'b_total', 'c_total', 'd', 'e']);
  });

  it('finds the labels matched on and grouped by', () => {
    const { grouping, matchers } = labelsUsed(
      'sum by (system) (rate(w_total{result="failed", system!~"x|y"}[10m])) / ignoring(result) sum without (le) (v)',
    );
    expect(grouping).toEqual(['system', 'result', 'le']);
    expect(matchers).toEqual([{ series: 'w_total', labels: ['result', 'system'] }]);
  });
});
