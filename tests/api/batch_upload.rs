//! `POST /v1/batch`: CSV in, screened CSV (or JSON lines) streamed out.

use crate::helpers::*;

async fn upload(app: &TestApp, query: &str, content_type: &str, body: impl Into<reqwest::Body>) -> reqwest::Response {
    app.post_body(&format!("/v1/batch{query}"), content_type, body).await
}

#[actix_web::test]
async fn a_spanish_cp1252_file_comes_back_screened_row_for_row() {
    let app = spawn_app().await;
    // Windows-1252: Ñ is 0xD1, É is 0xC9; semicolons; a quoted newline; a bad row.
    let mut body: Vec<u8> = b"Clave;Raz\xf3n social;Pa\xeds;RFC\r\n".to_vec();
    body.extend_from_slice(b"C-1;PANADER\xcdA LA ESPA\xd1OLA;MX;\r\n");
    body.extend_from_slice(b"C-2;Transportes Ejemplo S.A. de C.V.;MX;TEJ120101AB1\r\n");
    body.extend_from_slice(b"C-3;;MX;\r\n");
    body.extend_from_slice(b"C-4;\"Carteles\nUnidos\";MX;\r\n");
    body.extend_from_slice(b"C-5;CAF\xc9 EL G\xdcERO;MX;\r\n");
    let r = upload(&app, "", "text/csv", body).await;
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let text = r.text().await.unwrap();
    let mut rows = csv::Reader::from_reader(text.as_bytes());
    let headers = rows.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap_or_else(|| panic!("{name} in {headers:?}"));
    assert_eq!(&headers[1], "Razón social");
    let rows: Vec<csv::StringRecord> = rows.records().map(|r| r.unwrap()).collect();
    let refs: Vec<&str> = rows.iter().map(|r| &r[0]).collect();
    assert_eq!(refs, ["C-1", "C-2", "C-3", "C-4", "C-5"]);
    assert_eq!(&rows[0][1], "PANADERÍA LA ESPAÑOLA");
    assert_eq!(&rows[0][col("decision")], "clear");
    assert_eq!(&rows[1][col("decision")], "block");
    assert_eq!(&rows[1][col("top_match_id")], "acme-001");
    assert_eq!(&rows[1][col("cartel")], "CJNG");
    assert_eq!(&rows[2][col("decision")], "error");
    assert!(!rows[2][col("error")].is_empty());
    assert_eq!(&rows[3][col("top_match_id")], "cs-cu");
    assert_eq!(&rows[4][1], "CAFÉ EL GÜERO");
}

#[actix_web::test]
async fn json_lines_on_request_and_multipart_uploads() {
    let app = spawn_app().await;
    let csv = "id cliente,nombre\n7,Los Zetas\n8,Ferreteria Lopez\n";
    let r = app
        .client
        .post(app.url("/v1/batch"))
        .bearer_auth(&app.screen_key)
        .header("content-type", "text/csv")
        .header("accept", "application/x-ndjson")
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-type"], "application/x-ndjson");
    let lines: Vec<serde_json::Value> =
        r.text().await.unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["decision"], "block");
    assert_eq!(lines[1]["decision"], "clear");

    let boundary = "----cartelscreen-test";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"clientes.csv\"\r\nContent-Type: text/csv\r\n\r\n{csv}\r\n--{boundary}--\r\n"
    );
    let r = upload(&app, "", &format!("multipart/form-data; boundary={boundary}"), body).await;
    assert_eq!(r.status(), 200);
    let text = r.text().await.unwrap();
    assert_eq!(text.lines().count(), 3, "{text}");
    assert!(text.lines().nth(1).unwrap().starts_with("7,Los Zetas,block"), "{text}");
}

#[actix_web::test]
async fn unusable_files_are_refused_before_any_row() {
    let app = spawn_app().await;
    let v = expect_error(upload(&app, "", "text/csv", "ciudad,monto\nGDL,10\n").await, 422, "no_name_column").await;
    assert!(v["error"]["message"].as_str().unwrap().contains("ciudad"), "{v}");
    expect_error(upload(&app, "", "text/csv", "").await, 422, "empty_input").await;
    expect_error(upload(&app, "", "application/json", "{}").await, 415, "unsupported_media_type").await;
    expect_error(upload(&app, "?format=xml", "text/csv", "name\nx\n").await, 422, "invalid_option").await;
    expect_error(upload(&app, "?colour=red", "text/csv", "name\nx\n").await, 422, "invalid_query").await;
    let r = app
        .client
        .post(app.url("/v1/batch"))
        .header("content-type", "text/csv")
        .body("name\nx\n")
        .send()
        .await
        .unwrap();
    expect_error(r, 401, "unauthorized").await;
    // A header-only file is fine: no rows.
    let r = upload(&app, "", "text/csv", "name,rfc\n").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.unwrap().lines().count(), 1);
}

#[actix_web::test]
async fn uploads_over_the_limit_are_413() {
    let app = spawn_app_with(|s| s.server.max_upload_bytes = 1000).await;
    let big = format!("name\n{}", "Empresa Ejemplo\n".repeat(100));
    expect_error(upload(&app, "", "text/csv", big.clone()).await, 413, "payload_too_large").await;
    // Without a length the limit cuts the stream; a small file still passes.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = big.into_bytes().chunks(100).map(|c| Ok(c.to_vec())).collect();
    let r = upload(&app, "", "text/csv", reqwest::Body::wrap_stream(futures_util::stream::iter(chunks))).await;
    let s = r.status().as_u16();
    let complete = r.text().await.is_ok();
    assert!(s == 413 || !complete, "an over-limit upload is refused or cut short");
    let r = upload(&app, "", "text/csv", "name\nEmpresa\n").await;
    assert_eq!(r.status(), 200);
}
