import type { StopRequest } from '../ipc-messages.js';
import type { EchoRequest } from './echo.js';
import type { HandshakeRequest } from './handshakes.js';
import type { IdleRequest } from './idle-memory.js';

/** Everything the load child can be asked; a new load module adds its requests here. */
export type LoadRequest = HandshakeRequest | EchoRequest | IdleRequest | StopRequest;
