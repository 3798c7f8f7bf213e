// One ELK instance running in a web worker, so layouts do not block the page.
import ELK from 'elkjs/lib/elk-api.js';
import type { ELK as ElkInstance } from 'elkjs/lib/elk-api';
import elkWorkerUrl from 'elkjs/lib/elk-worker.min.js?url';

let instance: ElkInstance | null = null;

export function createElk(): ElkInstance {
  instance ??= new ELK({ workerUrl: elkWorkerUrl });
  return instance;
}
