// Failure modes of a gateway's own TLS towards upstreams that a probe sees
// only through the gateway's answer: the forward-proxy lesson's resumed
// session for another name. The gateway says so in its 503 body (and in its
// access log with upstream_session_cache=); the probe's own TLS was fine.
import type { FailureMode } from './types.js';
import { hostHeader } from './facts.js';

/** `resumed TLS session made for A: … not valid for B` in the gateway's 503 body. */
const RESUMED_OTHER_NAME = /resumed TLS session made for (\S+?):.*?not valid for (\S+?):/;

export const upstreamSessionFailureModes: FailureMode[] = [
  {
    id: 'upstream-resumed-session-other-name',
    title: "The gateway resumed another name's TLS session towards the upstream",
    matches: (r) => r.http?.status === 503 && RESUMED_OTHER_NAME.test(r.http.body ?? ''),
    explain: (r) => {
      const [, madeFor, wanted] = RESUMED_OTHER_NAME.exec(r.http?.body ?? '') ?? [];
      return {
        cause:
          `the gateway connected to ${wanted ?? hostHeader(r)} and offered the TLS session it had saved for ${madeFor ?? 'another name'} ` +
          '(its session cache is shared by every name). The upstream serves both names with one ticket key, so it resumed that session: ' +
          `no certificate was sent, the connection stands on ${madeFor ?? 'the other name'}'s certificate, and the name check for ${wanted ?? 'this name'} failed (503, flag UF). ` +
          'Nothing is cached "per IP": the same address answers both names correctly on a full handshake. ' +
          'Envoy had this bug (envoyproxy/envoy issue 46243, fixed by PR 45982 "tls: scope upstream session cache by sni")',
        fix: 'scope the session cache by SNI (sessionCache: perSNI); disabling resumption (the report\'s max_session_keys: 0) also works, at the cost of a full handshake per connection',
      };
    },
  },
];
