// PLACEHOLDER — being written (kubectl port-forward over SPDY). Replace whole.
import { ApiError } from '../api-error.js';
import { rejectUpgrade, type StreamingRequest } from './upgrade.js';

export function handlePortForward(request: StreamingRequest): void {
  rejectUpgrade(request.socket, new ApiError(501, 'NotImplemented', 'port-forward is not implemented yet'));
}
