#!/usr/bin/env node
/**
 * `node bench/accept-per-turn.mjs [--busy 3] [--connections 50]`
 *
 * How fast a Node server under load lets in a burst of new connections
 * (issue 16: the first answer of each new wrk connection was the PUT tail).
 * A plain `node:http` server whose every event-loop turn is kept busy for
 * --busy ms (as by the requests of connections already open) gets
 * --connections new connections at once, and prints when each `connection`
 * event fired. On Node 20, 22 and 24 (libuv 1.46, 1.51, 1.52) the server lets
 * in one connection per turn: 50 connections take ~170 ms at 3 ms a turn, and
 * ~7 ms when the turns are empty (--busy 0). Nothing of this project runs here.
 */
import http from 'node:http';
import net from 'node:net';
import { scriptArgs } from './lib.mjs';

const { values: args } = scriptArgs(import.meta.url, { options: { busy: { type: 'string', default: '3' }, connections: { type: 'string', default: '50' } } });
const BUSY = Number(args.busy);
const CONNECTIONS = Number(args.connections);

const server = http.createServer((_request, response) => response.end('ok'));
const accepted = [];
server.on('connection', () => accepted.push(performance.now()));
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
let busy = true;
const turn = () => {
  const until = performance.now() + BUSY;
  while (performance.now() < until);
  if (busy) setImmediate(turn);
};
setImmediate(turn);
const started = performance.now();
const sockets = Array.from({ length: CONNECTIONS }, () => net.connect(server.address().port, '127.0.0.1'));
await new Promise((resolve) => setTimeout(resolve, 2000));
busy = false;
const at = accepted.map((time) => (time - started).toFixed(0));
process.stdout.write(
  `node ${process.versions.node} (libuv ${process.versions.uv}), ${BUSY} ms busy per turn: ${accepted.length} of ${CONNECTIONS} connections let in, ` +
    `the last after ${at.at(-1)} ms; at (ms): ${at.join(' ')}\n`,
);
for (const socket of sockets) socket.destroy();
server.close();
