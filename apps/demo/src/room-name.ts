/** Room names as they appear in URLs (`/ws/chat/<room>/`, `/#<room>`): short, lower-case. */
export const roomNamePattern = /^[a-z0-9-]{1,32}$/;

/** Whether `name` can name a room. */
export function isRoomName(name: string | undefined): name is string {
  return name !== undefined && roomNamePattern.test(name);
}

/** The channel-layer group of a room's sockets. */
export function roomGroup(room: string): string {
  return `chat.${room}`;
}
