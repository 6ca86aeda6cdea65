/**
 * Picks and starts the wasm build this page can run: the threads build when the page is
 * cross-origin isolated and the browser has wasm threads, otherwise the single-thread
 * build (the squoosh pattern). The choice and its reason are reported to the page.
 */
import { threads as wasmThreadsSupported } from 'wasm-feature-detect';

import type { EngineStatus, StartOptions } from '../shared/api';
import type { Engine, WasmModule } from './wasm-module';

export interface Runtime {
  wasm: WasmModule;
  engine: Engine;
  status(): EngineStatus;
}

export async function startRuntime(options: StartOptions): Promise<Runtime> {
  const isolated = self.crossOriginIsolated === true;
  let fallbackReason: string | undefined;
  if (options.singleThread) fallbackReason = 'the single-thread build was requested';
  else if (!isolated) fallbackReason = 'the page is not cross-origin isolated (COOP/COEP headers missing)';
  else if (!(await wasmThreadsSupported())) fallbackReason = 'this browser has no WebAssembly threads';

  let wasm: WasmModule | undefined;
  if (!fallbackReason) {
    try {
      wasm = await importFlavour(options.baseUrl, 'threads');
      const threads = Math.max(1, options.threads ?? navigator.hardwareConcurrency ?? 1);
      await wasm.initThreadPool?.(threads);
    } catch (error) {
      wasm = undefined;
      fallbackReason = `the thread pool did not start (${String(error)})`;
    }
  }
  wasm ??= await importFlavour(options.baseUrl, 'st');
  const loaded = wasm;
  const engine = new loaded.Engine(options.panicChannel);
  return {
    wasm: loaded,
    engine,
    status: () => {
      const info = loaded.engineInfo();
      return {
        ...info,
        flavour: info.hasThreads ? 'threads' : 'single-thread',
        crossOriginIsolated: isolated,
        fallbackReason,
      };
    },
  };
}

async function importFlavour(baseUrl: string, flavour: 'threads' | 'st'): Promise<WasmModule> {
  const url = new URL(`wasm/${flavour}/brasa.js`, baseUrl).href;
  const wasm = (await import(/* @vite-ignore */ url)) as WasmModule;
  await wasm.default({ module_or_path: new URL(`wasm/${flavour}/brasa_bg.wasm`, baseUrl) });
  return wasm;
}
