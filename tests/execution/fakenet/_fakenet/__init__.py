"""The fake network's parts, loaded by ``sitecustomize`` only when ``FAKENET_LOG`` is set.

* :mod:`_fakenet.common`: what every wire format shares (the echo rule, the weather tool
  rule, the rate-limit trigger, vectors, JSON answers).
* :mod:`_fakenet.openai_wire`: OpenAI's wire format (also every OpenAI-compatible endpoint).
* :mod:`_fakenet.provider_wire`: Zhipu's paas v4 and Volcengine Ark's v3 formats.
* :mod:`_fakenet.dashscope_wire`: DashScope's native ``/api/v1/services/...`` format.
* :mod:`_fakenet.routing`: which format answers a request, and the request log.
* :mod:`_fakenet.transports`: the patches of httpx2/httpx, urllib, requests and aiohttp
  (:mod:`_fakenet.aiohttp_transport`: the in-memory connection aiohttp is given).

The package name starts with an underscore because ``fakenet/`` is first on the program's
``sys.path``: it must not shadow anything a program imports.
"""
