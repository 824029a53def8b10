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

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A workbook with a title row, date cells and a listed name.
fn workbook() -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let date = rust_xlsxwriter::Format::new().set_num_format("dd/mm/yyyy");
    let sheet = book.add_worksheet();
    sheet.set_name("Hoja1").unwrap();
    sheet.write_string(0, 0, "Clientes al 30/11/2026").unwrap();
    for (i, h) in ["Clave", "Nombre", "Fecha de nacimiento", "RFC"].iter().enumerate() {
        sheet.write_string(1, i as u16, *h).unwrap();
    }
    sheet.write_string(2, 0, "C-1").unwrap();
    sheet.write_string(2, 1, "Transportes Ejemplo S.A. de C.V.").unwrap();
    sheet.write_string(2, 3, "TEJ120101AB1").unwrap();
    sheet.write_string(3, 0, "C-2").unwrap();
    sheet.write_string(3, 1, "Panadería Doña Rosa").unwrap();
    // 24160 is 22/02/1966.
    sheet.write_number_with_format(3, 2, 24160.0, &date).unwrap();
    sheet.write_string(4, 0, "C-3").unwrap();
    sheet.write_string(4, 1, "Carteles Unidos").unwrap();
    book.save_to_buffer().unwrap()
}

fn check_rows(text: &str) {
    let text = text.strip_prefix('\u{feff}').expect("a spreadsheet in, a BOM out");
    let mut rows = csv::Reader::from_reader(text.as_bytes());
    let headers = rows.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap_or_else(|| panic!("{name} in {headers:?}"));
    let rows: Vec<csv::StringRecord> = rows.records().map(|r| r.unwrap()).collect();
    let refs: Vec<&str> = rows.iter().map(|r| &r[0]).collect();
    assert_eq!(refs, ["C-1", "C-2", "C-3"]);
    assert_eq!(&rows[0][col("decision")], "block");
    assert_eq!(&rows[0][col("top_match_id")], "acme-001");
    assert_eq!(&rows[1][col("Fecha de nacimiento")], "1966-02-22");
    assert_eq!(&rows[1][col("decision")], "clear");
    assert_eq!(&rows[1][col("warnings")], "");
    assert_eq!(&rows[2][col("top_match_id")], "cs-cu");
}

#[actix_web::test]
async fn an_xlsx_upload_comes_back_screened() {
    let app = spawn_app().await;
    // As a multipart upload, the way a browser (or Swagger UI) sends a file.
    let boundary = "----cartelscreen-xlsx";
    let mut form = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nnoviembre\r\n--{boundary}\r\n\
         Content-Disposition: form-data; name=\"file\"; filename=\"clientes.xlsx\"\r\nContent-Type: {XLSX}\r\n\r\n"
    )
    .into_bytes();
    form.extend(workbook());
    form.extend(format!("\r\n--{boundary}--\r\n").into_bytes());
    let r = upload(&app, "", &format!("multipart/form-data; boundary={boundary}"), form).await;
    assert_eq!(r.status(), 200);
    check_rows(&r.text().await.unwrap());
    // As the body, with its content type; the same options as the command line.
    let r = upload(&app, "?sheet=Hoja1&skip_rows=1", XLSX, workbook()).await;
    assert_eq!(r.status(), 200);
    check_rows(&r.text().await.unwrap());
    let r = upload(&app, "?bom=false", XLSX, workbook()).await;
    assert!(r.text().await.unwrap().starts_with("Clave,"));
    // Out as xlsx, on request.
    let r = upload(&app, "?format=xlsx", XLSX, workbook()).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], XLSX);
    let bytes = r.bytes().await.unwrap().to_vec();
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let range = book.worksheet_range("results").unwrap();
    let decisions: Vec<String> = range.rows().skip(1).map(|r| r[4].to_string()).collect();
    assert_eq!(decisions, ["block", "clear", "block"]);
}

#[actix_web::test]
async fn unreadable_uploads_are_refused_with_their_type() {
    let app = spawn_app().await;
    let v = expect_error(upload(&app, "?sheet=Nope", XLSX, workbook()).await, 422, "unknown_sheet").await;
    assert!(v["error"]["message"].as_str().unwrap().contains("Hoja1"), "{v}");
    let gzip = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/batch/compressed_export.csv")).unwrap();
    let v = expect_error(upload(&app, "", "text/csv", gzip).await, 415, "unsupported_file").await;
    assert!(v["error"]["message"].as_str().unwrap().contains("application/gzip"), "{v}");
    let mut broken = workbook();
    broken.truncate(broken.len() / 2);
    expect_error(upload(&app, "", XLSX, broken).await, 422, "unreadable_input").await;
    expect_error(upload(&app, "?sheet=Hoja1", "text/csv", "name\nx\n").await, 422, "invalid_option").await;
}

#[actix_web::test]
async fn the_openapi_document_describes_the_file_upload() {
    let app = spawn_app().await;
    let v: serde_json::Value = app.client.get(app.url("/openapi.json")).send().await.unwrap().json().await.unwrap();
    let body = &v["paths"]["/v1/batch"]["post"]["requestBody"]["content"];
    let form = &body["multipart/form-data"]["schema"];
    let form = match form["$ref"].as_str() {
        Some(r) => &v["components"]["schemas"][r.rsplit('/').next().unwrap()],
        None => form,
    };
    assert_eq!(form["properties"]["file"]["type"], "string", "{form}");
    assert_eq!(form["properties"]["file"]["format"], "binary", "{form}");
    assert!(body["text/csv"].is_object(), "{body}");
    assert!(body[XLSX].is_object(), "{body}");
    let params: Vec<&str> = v["paths"]["/v1/batch"]["post"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for p in ["sheet", "skip_rows", "bom", "format"] {
        assert!(params.contains(&p), "{p} in {params:?}");
    }
}
