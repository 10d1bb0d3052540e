import net from 'node:net';
import { pidFiles } from './pid-files';
import { findPortOwner } from './port-owner';

/**
 * Fails with the port, what it is for, who holds it — a leftover of an earlier `npm start` in this
 * checkout (its pid is in `.data/run/`) or somebody else's process — how to stop it, and the variable
 * that moves the port instead.
 */
export function assertPortFree(port: number, what: string, envName: string, runDir?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', () => reject(new Error(portInUseMessage(port, what, envName, runDir))));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
  });
}

export function portInUseMessage(port: number, what: string, envName: string, runDir?: string): string {
  const owner = findPortOwner(port);
  const instead = `or set ${envName} to another port.`;
  if (!owner) return `Port ${port} (${what}) is already in use. Stop whatever uses it, ${instead}`;
  const ours = runDir ? [...pidFiles(runDir).all()].find(([, pid]) => pid === owner.pid)?.[0] : undefined;
  const who = `pid ${owner.pid} (${owner.command.slice(0, 120)})`;
  if (ours) {
    return `Port ${port} (${what}) is held by ${who}: the "${ours}" process of an earlier \`npm start\` in this checkout that was not stopped (${runDir}/${ours}.pid). Stop it with \`kill ${owner.pid}\`, ${instead}`;
  }
  return `Port ${port} (${what}) is held by ${who}, which is not a process of this checkout's \`npm start\`. Stop it (\`kill ${owner.pid}\`) if you own it, ${instead}`;
}
