import { connect } from 'node:net';

/** Opens a new TCP connection to 127.0.0.1:port and closes it; rejects (ECONNREFUSED) when nobody listens. */
export function connectOnce(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', reject);
  });
}
