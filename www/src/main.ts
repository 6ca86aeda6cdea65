/**
 * Entry point. Query parameters (for benchmarks and tests):
 * `?threads=N` pool size, `?single-thread` the fallback build, `?sample=0` no sample.
 */
import './styles.css';

import { App } from './app/app';
import { EngineClient } from './engine/client/engine-client';

const params = new URLSearchParams(location.search);
const threads = Number(params.get('threads')) || undefined;
const engine = new EngineClient({ threads, singleThread: params.has('single-thread') });
const root = document.getElementById('app');
if (!root) throw new Error('index.html has no #app element');
const sampleUrl =
  params.get('sample') === '0' ? undefined : new URL(`${import.meta.env.BASE_URL}sample/telecom.csv`, document.baseURI).href;
void new App(root, engine).start({ sampleUrl });
