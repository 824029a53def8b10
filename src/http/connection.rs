//! What happens on a connection before HTTP: the first request's head is
//! read here, under `server.client_timeout_secs`, so that a client that
//! never finishes its headers, sends a head that is not HTTP, or sends one
//! too large gets the service's JSON error (`request_timeout`,
//! `bad_request`, `headers_too_large`) instead of the bare status the HTTP
//! library writes. The bytes read are then replayed to the HTTP service
//! ([`Replayed`]), which handles the connection from there (later requests
//! on a kept-alive connection are bounded by its keep-alive timer).

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::http::StatusCode;
use bytes::{Buf, Bytes, BytesMut};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};

use crate::error::Code;
use crate::http::error::ApiError;

/// Largest request head accepted, in bytes (request line and headers).
pub const MAX_HEAD_BYTES: usize = 64 * 1024;
/// Most header lines accepted in a request head.
pub const MAX_HEADERS: usize = 96;

/// A connection whose first bytes were read ahead: they are read again
/// first, then the stream.
pub struct Replayed<S> {
    head: Bytes,
    inner: S,
}

impl<S> Replayed<S> {
    /// The stream behind.
    pub fn inner(&self) -> &S {
        &self.inner
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Replayed<S> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        if self.head.has_remaining() {
            let n = self.head.len().min(buf.remaining());
            buf.put_slice(&self.head[..n]);
            self.head.advance(n);
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Replayed<S> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

/// Why a connection was answered and closed before HTTP took it.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    /// The client closed the connection (or it failed) before a request.
    Closed,
    /// Answered with this code.
    Answered(Code),
}

/// Where the first request head ends, if the bytes hold it whole; `Err`
/// when they cannot be an HTTP/1 request head.
fn head_end(buf: &[u8]) -> Result<Option<usize>, Code> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut headers);
    match req.parse(buf) {
        Ok(httparse::Status::Complete(n)) => Ok(Some(n)),
        Ok(httparse::Status::Partial) => Ok(None),
        Err(httparse::Error::TooManyHeaders) => Err(Code::HeadersTooLarge),
        Err(_) => Err(Code::BadRequest),
    }
}

/// Reads the first request head of `io` within `timeout`. When it arrives
/// whole and well formed, returns the connection with the bytes read put
/// back; otherwise answers with the JSON error and closes.
///
/// # Errors
/// [`Refused`] when the connection was answered here or closed.
pub async fn read_first_head<S>(mut io: S, timeout: Duration) -> Result<Replayed<S>, Refused>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut buf = BytesMut::with_capacity(4096);
    let outcome = tokio::time::timeout(timeout, async {
        loop {
            if buf.len() >= MAX_HEAD_BYTES {
                return Err(Refused::Answered(Code::HeadersTooLarge));
            }
            match io.read_buf(&mut buf).await {
                Ok(0) | Err(_) => return Err(Refused::Closed),
                Ok(_) => {}
            }
            match head_end(&buf) {
                Ok(Some(_)) => return Ok(()),
                Ok(None) => continue,
                Err(code) => return Err(Refused::Answered(code)),
            }
        }
    })
    .await
    .unwrap_or(Err(Refused::Answered(Code::RequestTimeout)));
    match outcome {
        Ok(()) => Ok(Replayed { head: buf.freeze(), inner: io }),
        Err(Refused::Answered(code)) => {
            let _ = answer(&mut io, code).await;
            Err(Refused::Answered(code))
        }
        Err(Refused::Closed) => Err(Refused::Closed),
    }
}

/// Writes a complete HTTP/1.1 error response carrying the JSON error body,
/// and closes the connection.
async fn answer<S: AsyncWrite + Unpin>(io: &mut S, code: Code) -> io::Result<()> {
    let status = StatusCode::from_u16(code.status()).unwrap_or(StatusCode::BAD_REQUEST);
    let body = serde_json::to_vec(&ApiError::from_status(status).body()).unwrap_or_default();
    let head = format!(
        "HTTP/1.1 {} {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        status.as_u16(),
        status.canonical_reason().unwrap_or(""),
        body.len()
    );
    io.write_all(head.as_bytes()).await?;
    io.write_all(&body).await?;
    io.flush().await?;
    io.shutdown().await
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::duplex;

    async fn answer_of(client: &mut tokio::io::DuplexStream) -> String {
        let mut out = Vec::new();
        let _ = client.read_to_end(&mut out).await;
        String::from_utf8_lossy(&out).into_owned()
    }

    #[tokio::test]
    async fn a_whole_head_is_replayed() {
        let (mut client, server) = duplex(4096);
        client.write_all(b"GET /healthz HTTP/1.1\r\nhost: x\r\n\r\nextra").await.unwrap();
        let mut replayed = read_first_head(server, Duration::from_secs(1)).await.unwrap();
        let mut first = vec![0u8; 39];
        replayed.read_exact(&mut first).await.unwrap();
        assert_eq!(&first[..], b"GET /healthz HTTP/1.1\r\nhost: x\r\n\r\nextra");
    }

    #[tokio::test]
    async fn a_head_in_pieces_is_waited_for() {
        let (mut client, server) = duplex(4096);
        let reader = tokio::spawn(read_first_head(server, Duration::from_secs(2)));
        client.write_all(b"POST /v1/screen HTTP/1.1\r\n").await.unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;
        client.write_all(b"content-length: 0\r\n\r\n").await.unwrap();
        assert!(reader.await.unwrap().is_ok());
    }

    #[tokio::test]
    async fn a_slow_head_gets_a_json_408() {
        let (mut client, server) = duplex(4096);
        client.write_all(b"GET / HTTP/1.1\r\nhost:").await.unwrap();
        let r = read_first_head(server, Duration::from_millis(50)).await;
        assert_eq!(r.err(), Some(Refused::Answered(Code::RequestTimeout)));
        let text = answer_of(&mut client).await;
        assert!(text.starts_with("HTTP/1.1 408 Request Timeout\r\n"), "{text}");
        assert!(text.contains("content-type: application/json"), "{text}");
        assert!(
            text.ends_with(r#""code":"request_timeout","message":"the request was not received in time"}}"#),
            "{text}"
        );
    }

    #[tokio::test]
    async fn garbage_and_huge_heads_get_json_errors() {
        let (mut client, server) = duplex(1 << 20);
        client.write_all(b"\x16\x03\x01 not http\r\n\r\n").await.unwrap();
        let r = read_first_head(server, Duration::from_secs(1)).await;
        assert_eq!(r.err(), Some(Refused::Answered(Code::BadRequest)));
        assert!(answer_of(&mut client).await.contains(r#""code":"bad_request""#));

        let (mut client, server) = duplex(1 << 20);
        let mut head = b"GET / HTTP/1.1\r\n".to_vec();
        while head.len() <= MAX_HEAD_BYTES {
            head.extend_from_slice(b"x-filler: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n");
        }
        client.write_all(&head[..MAX_HEAD_BYTES + 10]).await.unwrap();
        let r = read_first_head(server, Duration::from_secs(1)).await;
        assert_eq!(r.err(), Some(Refused::Answered(Code::HeadersTooLarge)));
        assert!(answer_of(&mut client).await.starts_with("HTTP/1.1 431 "));
    }

    #[tokio::test]
    async fn a_closed_connection_is_not_answered() {
        let (client, server) = duplex(64);
        drop(client);
        assert_eq!(read_first_head(server, Duration::from_secs(1)).await.err(), Some(Refused::Closed));
    }
}
