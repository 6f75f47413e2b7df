// A simple local TCP balancer for the tracking bench (issue 10): each new connection goes to the next of the active
// backends, round robin; bytes are piped both ways untouched. Usage: node tcp-balancer.process.mjs <port> <backend
// port>…; the parent (over IPC) sets how many of the backends are active with { backends: n } and is told `ready`.
import { connect, createServer } from 'node:net';

const [port, ...backends] = process.argv.slice(2).map(Number);
let active = backends.length;
let next = 0;

const server = createServer((client) => {
  const upstream = connect(backends[next++ % active], '127.0.0.1');
  client.setNoDelay(true);
  upstream.setNoDelay(true);
  const close = () => {
    client.destroy();
    upstream.destroy();
  };
  client.on('error', close).on('close', close);
  upstream.on('error', close).on('close', close);
  client.pipe(upstream).pipe(client);
});

process.on('message', (message) => {
  active = Math.min(Math.max(Number(message.backends) || 1, 1), backends.length);
  next = 0;
  process.send({ backends: active });
});
process.on('disconnect', () => process.exit(0));
server.listen(port, '127.0.0.1', () => process.send({ ready: true }));
