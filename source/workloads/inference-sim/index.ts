// `workload inference-sim <llm-d-inference-sim flags>`: what pods of
// ghcr.io/llm-d/llm-d-inference-sim run.
import { parseSimConfig } from './config.js';
import { createSimServer } from './server.js';
import { closeServer, listenOn, untilSignal } from '../common/listen.js';

export async function main(argv: string[]): Promise<number> {
  const config = parseSimConfig(argv);
  const server = createSimServer(config);
  await listenOn(server, config.port, `inference-sim (model ${config.servedModelNames.join(', ')}${config.loras.length ? `; LoRAs ${config.loras.map((l) => l.name).join(', ')}` : ''})`);
  return untilSignal(() => closeServer(server));
}
