"""`POST runs/{id}/predict`: a learner's own picture, answered by the run's model.

The body is streamed, so a huge upload is refused (413) after at most the limit, not after it has all
been read into memory; what is sent is checked (size, header, decompression bomb) before a predictor is
started, so bad input changes nothing.
"""

from __future__ import annotations

import asyncio

import tornado
from jupyter_server.auth.decorator import authorized
from tornado import httputil

from jupyterlab_dlcoach.core import images, paths
from jupyterlab_dlcoach.core.errors import BadInput, Conflict
from jupyterlab_dlcoach.server.base import CoachHandler, parse_json_object
from jupyterlab_dlcoach.server.model_files import model_file

# A multipart body carries its boundary and headers besides the picture itself.
MULTIPART_SLACK = 64 * 1024


@tornado.web.stream_request_body
class PredictHandler(CoachHandler):
    async def prepare(self):
        await super().prepare()
        self.coach.start_services()
        self._chunks: list[bytes] = []
        self._size = 0
        self._over = False
        declared = self.request.headers.get("Content-Length", "")
        too_big = declared.isdigit() and int(declared) > images.MAX_UPLOAD_BYTES + MULTIPART_SLACK
        # Refused before a byte of the body is read (the connection closes after this answer); a
        # stranger gets the 403 of the route's own check instead.
        if too_big and self.current_user:
            raise images.too_large(int(declared))

    def data_received(self, chunk: bytes) -> None:
        self._size += len(chunk)
        if self._size > images.MAX_UPLOAD_BYTES + MULTIPART_SLACK:
            self._over = True
            self._chunks = []
        elif not self._over:
            self._chunks.append(chunk)

    @tornado.web.authenticated
    @authorized
    async def post(self, run_id):
        if self._over:
            raise images.too_large(self._size)
        run = self.coach.manager.get_run(run_id)
        # A run with no model is told so before its picture is even read.
        model_file(run, self.coach.root_dir)
        data = await self._picture(b"".join(self._chunks))
        # The header is enough to refuse what is not an image, or a bomb, before any process starts.
        await asyncio.to_thread(images.sniff, data)
        self.write_json(await self.coach.predictors.predict(run, data))

    async def _picture(self, body: bytes) -> bytes:
        """The picture: the raw body, a multipart file field, or a file named by a root-relative path."""
        content_type = self.request.headers.get("Content-Type", "")
        kind = content_type.split(";")[0].strip().lower()
        # No picture format starts with '{': a JSON body sent without its type (curl -d) is read as JSON.
        if kind == "application/json" or body.lstrip()[:1] == b"{":
            return await self._from_path(body)
        if kind == "multipart/form-data":
            args, files = {}, {}
            httputil.parse_body_arguments(content_type, body, args, files, self.request.headers)
            parts = [f for field in files.values() for f in field]
            if not parts:
                raise BadInput(
                    "The form holds no file. Send the picture as a file field (e.g. curl -F image=@cat.jpg).",
                    field="image",
                )
            return parts[0]["body"]
        if not body:
            raise BadInput(
                "Send a picture: its bytes as the body (Content-Type image/png, image/jpeg…), a form with a "
                'file field, or JSON {"path": "a/file.png"} naming a file under the server root.',
                field="image",
            )
        return body

    async def _from_path(self, body: bytes) -> bytes:
        request = parse_json_object(body, '{"path": "a/file.png"}')
        rel = request.get("path")
        if not isinstance(rel, str):
            raise BadInput(
                '\'path\' is required: a picture under the server root, e.g. {"path": "photos/cat.jpg"}.',
                field="path",
            )
        target = paths.confine(rel, self.coach.root_dir, field="path")
        if not target.is_file():
            raise BadInput(
                f"'path' must name a picture file; '{rel[:80]}' is not a regular file (a folder?).",
                field="path",
            )
        size = target.stat().st_size
        if size > images.MAX_UPLOAD_BYTES:
            raise images.too_large(size)
        try:
            return await asyncio.to_thread(target.read_bytes)
        except OSError as e:
            raise Conflict(f"'{rel[:80]}' could not be read: {e.strerror or e}.", field="path") from e
