import net from 'node:net';

/** Fails with the port, what it is for, and the variable that moves it. */
export function assertPortFree(port: number, what: string, envName: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', () => reject(new Error(`Port ${port} (${what}) is already in use. Stop whatever uses it, or set ${envName} to another port.`)));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
  });
}
