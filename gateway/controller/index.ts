export { startController, type ControllerOptions, type RunningController } from './controller.js';
export { CONTROLLER_NAME, GATEWAY_NAME_LABEL, proxyImage, packageVersion } from './constants.js';
export { desiredDeployment, desiredService, listenerPorts } from './proxy-workloads.js';
export { mergeStatus } from './status-writer.js';
