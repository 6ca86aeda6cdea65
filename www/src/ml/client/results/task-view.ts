/** What one task's results add below the grid and metrics: tables, controls and charts. */
import type { ChartView } from '../charts/chart-view';

export interface TaskView {
  element: HTMLElement;
  /** Every chart drawn, to be freed with the view and recorded with the run. */
  charts: ChartView[];
}
