/** What a worker tells the primary over the cluster's IPC channel once it serves requests. */
export const WORKER_READY = 'consult-on:worker-ready';

export interface WorkerReadyMessage {
  type: typeof WORKER_READY;
  /** The facts of the start-up banner, which the primary prints once for all workers. */
  url: string;
  webServed: boolean;
  database: string;
}

export function isWorkerReady(message: unknown): message is WorkerReadyMessage {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === WORKER_READY;
}
