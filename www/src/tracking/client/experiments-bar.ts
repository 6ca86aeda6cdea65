/**
 * The experiment picker: which experiment new runs go to and the runs view shows;
 * create and rename experiments ("Default", id 0, always exists).
 */
import { DEFAULT_EXPERIMENT_ID, type Experiment } from '../shared/model';
import { h, replaceChildren } from '../../ui/dom';
import type { TrackingStore } from './store';

const ACTIVE_KEY = 'brasa.activeExperiment';

export class ExperimentsBar {
  readonly element: HTMLElement;
  private readonly picker = h('select', { attrs: { 'data-testid': 'experiment-select', 'aria-label': 'Active experiment' } });
  private readonly message = h('span', { className: 'hint', attrs: { 'data-testid': 'experiment-message' } });
  private experiments: Experiment[] = [];
  activeId: string;

  constructor(
    private readonly store: TrackingStore,
    private readonly onChange: () => void,
  ) {
    this.activeId = localStorage.getItem(ACTIVE_KEY) ?? DEFAULT_EXPERIMENT_ID;
    this.picker.addEventListener('change', () => this.activate(this.picker.value));
    const name = h('input', { attrs: { type: 'text', placeholder: 'experiment name', size: '18', 'data-testid': 'experiment-name' } });
    // One action at a time: a rename clicked while "New" is still being stored would
    // otherwise rename the experiment that was active before. The name box is cleared
    // only if it still holds the name the action used (the person may have typed on).
    const act = (fn: (typed: string) => Promise<void>) => async () => {
      const typed = name.value;
      const buttons = [...this.element.querySelectorAll('button')];
      buttons.forEach((b) => (b.disabled = true));
      try {
        await fn(typed);
        if (name.value === typed) name.value = '';
        replaceChildren(this.message);
      } catch (error) {
        replaceChildren(this.message, h('span', { className: 'error-text' }, (error as Error).message));
      } finally {
        buttons.forEach((b) => (b.disabled = false));
      }
    };
    this.element = h('div', { className: 'experiments-bar' },
      h('label', {}, 'Experiment ', this.picker),
      name,
      h('button', { attrs: { type: 'button', 'data-testid': 'experiment-create' }, on: { click: act(async (typed) => {
        const experiment = await this.store.createExperiment(typed);
        await this.refresh();
        this.activate(experiment.experimentId);
      }) } }, 'New'),
      h('button', { attrs: { type: 'button', 'data-testid': 'experiment-rename' }, on: { click: act(async (typed) => {
        await this.store.renameExperiment(this.activeId, typed);
        await this.refresh();
        this.onChange();
      }) } }, 'Rename'),
      this.message,
    );
  }

  get active(): Experiment | undefined {
    return this.experiments.find((e) => e.experimentId === this.activeId);
  }

  async refresh(): Promise<void> {
    this.experiments = (await this.store.experiments()).filter((e) => e.lifecycleStage === 'active');
    if (!this.experiments.some((e) => e.experimentId === this.activeId)) this.activeId = DEFAULT_EXPERIMENT_ID;
    replaceChildren(this.picker, ...this.experiments.map((e) => h('option', { attrs: { value: e.experimentId } }, `${e.name} (${e.experimentId})`)));
    this.picker.value = this.activeId;
  }

  activate(id: string): void {
    this.activeId = id;
    this.picker.value = id;
    localStorage.setItem(ACTIVE_KEY, id);
    this.onChange();
  }
}
