import type { StopRequest } from '../ipc-messages.js';
import type { AuthRequest } from './auth-handshakes.js';
import type { EchoRequest } from './echo.js';
import type { FanoutRequest } from './fanout.js';
import type { HandshakeRequest } from './handshakes.js';
import type { IdleRequest } from './idle-memory.js';
import type { StormRequest } from './reconnect-storm.js';
import type { LoginRequest } from './session-cookies.js';

/** Everything the load child can be asked; a new load module adds its requests here. */
export type LoadRequest =
  | HandshakeRequest
  | EchoRequest
  | IdleRequest
  | LoginRequest
  | AuthRequest
  | FanoutRequest
  | StormRequest
  | StopRequest;
