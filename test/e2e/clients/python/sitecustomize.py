"""Loaded by every Python process started with this folder on PYTHONPATH (boto3, aws-cli v1 and v2).

With BG_TEST_RESOLVE=<domain>=<ip>, socket.getaddrinfo answers <ip> for <domain> and every name under it,
so virtual-host style (bucket.<domain>) reaches the local gateway without /etc/hosts. botocore and
urllib3 have no resolver option of their own; getaddrinfo is where they all resolve. TLS still checks
the certificate against the name the client asked for. Other names resolve as usual.
With BG_TEST_RESOLVE_LOG=<file>, each name so answered is appended to <file> (the test checks that the
client really used virtual-host names).
"""
import os
import socket

_spec = os.environ.get('BG_TEST_RESOLVE', '')
if _spec:
    _domain, _, _ip = _spec.rpartition('=')
    _domain = _domain.lower()
    _getaddrinfo = socket.getaddrinfo
    _log = os.environ.get('BG_TEST_RESOLVE_LOG', '')

    def _resolve(host, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else host
        if isinstance(name, str):
            n = name.lower().rstrip('.')
            if n == _domain or n.endswith('.' + _domain):
                host = _ip
                if _log:
                    with open(_log, 'a') as f:
                        f.write(n + '\n')
        return _getaddrinfo(host, *args, **kwargs)

    socket.getaddrinfo = _resolve

# Debian's own sitecustomize (apport hook), which this file shadows, is optional and not needed here.
