//! The resource library: uploads checked against their type, stored under data/ and served
//! safely; links; search; staff-only and public items; a roundtable's best practice
//! published to the public library.

use crate::cases::{as_user, hotline, hotline_named, year};
use crate::support::*;

/// Uploads `bytes` as `name` with the library's fields; returns the status and the body.
async fn upload(
    c: &Browser,
    base: &str,
    name: &str,
    bytes: &[u8],
    title: &str,
    visibility: &str,
) -> (u16, String) {
    let page = c.get("/library").await;
    let action = page
        .body
        .split("action=\"")
        .find(|a| a.starts_with("/library/upload"))
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .replace("&amp;", "&");
    let form = reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(name.to_string()),
        )
        .text("title", title.to_string())
        .text("tags", "Labour, guide")
        .text("language", "en")
        .text("audience", "health")
        .text("visibility", visibility.to_string())
        .text("description", "For hospital staff.");
    let resp = c
        .http
        .post(format!("{base}{action}"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.text().await.unwrap())
}

fn item_href(body: &str, title: &str) -> String {
    let end = body
        .find(&format!("\">{title}</a>"))
        .unwrap_or_else(|| panic!("no {title}"));
    let start = body[..end].rfind("href=\"").unwrap() + "href=\"".len();
    body[start..end].to_string()
}

#[tokio::test]
async fn uploads_links_search_and_the_public_library() {
    let (d, server) = hotline().await;
    let t = as_user(&server, "trainer@example.org").await;
    let pdf = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";

    // A real PDF is stored under data/library/ with a name the server chose.
    let (status, body) = upload(
        &t,
        &server.url,
        "Indicators guide (2026).pdf",
        pdf,
        "Indicators guide",
        "public",
    )
    .await;
    assert_eq!(status, 303, "{body}");
    let stored: Vec<_> = std::fs::read_dir(d.dir.join("data/library"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().into_string().unwrap())
        .collect();
    assert_eq!(stored.len(), 1);
    assert!(stored[0].ends_with(".pdf") && !stored[0].contains("Indicators"));

    // A file whose content is not what its name says is refused, and nothing is stored.
    let (status, body) = upload(
        &t,
        &server.url,
        "report.pdf",
        b"MZ\x90\x00\x03 a Windows program",
        "Fake",
        "staff",
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        body.contains(&html_escape(&text("en", "library.error.mismatch"))),
        "{body}"
    );
    let (status, body) = upload(&t, &server.url, "tool.exe", b"MZ", "Program", "staff").await;
    assert_eq!(status, 422);
    assert!(body.contains(&html_escape(&text("en", "library.error.type"))));
    let big = vec![b'a'; 11 * 1024 * 1024];
    let (status, _) = upload(&t, &server.url, "big.txt", &big, "Big", "staff").await;
    assert_eq!(status, 413);
    assert_eq!(
        std::fs::read_dir(d.dir.join("data/library"))
            .unwrap()
            .count(),
        1
    );

    // A staff-only link.
    let p = t
        .submit(
            "/library",
            "/library",
            &[
                ("url", "https://www.example.org/protocol"),
                ("title", "Regional referral protocol"),
                ("tags", "referral"),
                ("language", "en"),
                ("audience", "general"),
                ("visibility", "staff"),
                ("description", ""),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let p = t
        .submit(
            "/library",
            "/library",
            &[
                ("url", "javascript:alert(1)"),
                ("title", "Bad"),
                ("language", "en"),
                ("audience", "general"),
                ("visibility", "staff"),
            ],
        )
        .await;
    assert_eq!(p.status, 422);

    // Every staff member can search the library.
    let a = as_user(&server, "a@example.org").await;
    let page = a.get("/library?q=LABOUR").await;
    assert!(page.has("Indicators guide") && !page.has("Regional referral protocol"));
    let page = a.get("/library?q=protocol").await;
    assert!(page.has("Regional referral protocol"));
    assert!(
        !page.has(&text("en", "library.upload")),
        "advocates do not add items"
    );

    // The download: the same bytes, a safe name, no sniffing.
    let page = a.get("/library").await;
    let href = item_href(&page.body, "Indicators guide");
    let resp = a
        .http
        .get(format!("{}{href}", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let h = resp.headers().clone();
    assert_eq!(h["content-type"], "application/pdf");
    assert_eq!(h["x-content-type-options"], "nosniff");
    let disposition = h["content-disposition"].to_str().unwrap().to_string();
    assert!(
        disposition.starts_with("attachment; filename=\"Indicators_guide__2026_.pdf\""),
        "{disposition}"
    );
    assert!(disposition.contains("filename*=UTF-8''Indicators%20guide%20%282026%29.pdf"));
    assert_eq!(resp.bytes().await.unwrap().as_ref(), pdf);

    // A training material can be that document.
    let mats = "/outreach/materials";
    let page = t.get(mats).await;
    let doc = {
        let end = page
            .body
            .find("\">Indicators guide (Indicators guide (2026).pdf)</option>")
            .unwrap();
        let start = page.body[..end].rfind("value=\"").unwrap() + "value=\"".len();
        page.body[start..end].to_string()
    };
    let material = |document: &str| {
        vec![
            ("title", "Indicators guide, printed"),
            ("kind", "guide"),
            ("language", "en"),
            ("link", ""),
            ("document", document),
        ]
        .into_iter()
        .map(|(k, v)| (k, v.to_string()))
        .collect::<Vec<_>>()
    };
    let fields = material("99999");
    let form: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(
        t.submit(mats, mats, &form).await.status,
        422,
        "not a library document"
    );
    let fields = material(&doc);
    let form: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let p = t.submit(mats, mats, &form).await;
    assert_eq!(p.status, 303, "{}", p.body);
    let page = t.get(mats).await;
    assert!(
        page.body.contains(&format!(
            "<a href=\"/library/files/{doc}\">Indicators guide, printed</a>"
        )),
        "{}",
        page.body
    );

    // The public library shows public items only, to anyone.
    let guest = server.client();
    let public = guest.get("/resources").await;
    assert_eq!(public.status, 200);
    assert!(public.has("Indicators guide") && !public.has("Regional referral protocol"));
    assert_eq!(guest.get(&href).await.status, 200);
    let home = guest.get("/").await;
    assert!(home.has(&text("en", "library.public_link")));
    let ja = Browser::with_language(&server.url, "ja");
    assert!(ja
        .get("/resources")
        .await
        .has(&text("ja", "library.public_title")));
}

#[tokio::test]
async fn best_practices_are_published_by_confidentiality() {
    let (_d, server) = hotline().await;
    let y = year();
    let t = as_user(&server, "trainer@example.org").await;
    let mut pages = Vec::new();
    for (theme, level) in [("Open meeting", "public"), ("Closed meeting", "restricted")] {
        let p = t
            .submit(
                "/roundtables",
                "/roundtables",
                &[
                    ("date", &format!("{y}-01-01")),
                    ("theme", theme),
                    ("confidentiality", level),
                ],
            )
            .await;
        assert_eq!(p.status, 303, "{}", p.body);
        let rt = p.location.unwrap().split('?').next().unwrap().to_string();
        let p = t
            .submit(
                &rt,
                &format!("{rt}/practices"),
                &[
                    ("title", &format!("Practice of the {theme}")),
                    ("description", "Works well."),
                ],
            )
            .await;
        assert_eq!(p.status, 303);
        pages.push(rt);
    }
    // The public roundtable's practice goes to the public library, once.
    let open = &pages[0];
    let page = t.get(open).await;
    let action = page
        .body
        .split("action=\"")
        .find(|a| a.contains("/publish\""))
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    for _ in 0..2 {
        let p = t.submit(open, &action, &[]).await;
        assert_eq!(p.status, 303, "{}", p.body);
    }
    let public = server.client().get("/resources").await;
    assert!(public.has("Practice of the Open meeting"));
    assert_eq!(
        public.body.matches("Practice of the Open meeting").count(),
        1
    );
    assert!(public.has(&text("en", "library.kind.practice")));
    // The restricted one offers no button, and publishing it anyway is refused.
    let closed = &pages[1];
    let page = t.get(closed).await;
    assert!(page.has(&text("en", "roundtable.not_publishable")));
    assert!(!page.body.contains("/publish\""));
    // The closed roundtable's practice was added right after the open one's.
    let open_id: i64 = action
        .trim_end_matches("/publish")
        .rsplit('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let forced = format!("{closed}/practices/{}/publish", open_id + 1);
    let p = t.submit(closed, &forced, &[]).await;
    assert_eq!(p.status, 400);
    assert!(!server
        .client()
        .get("/resources")
        .await
        .has("Practice of the Closed meeting"));
    assert!(!t
        .get("/library")
        .await
        .has("Practice of the Closed meeting"));
}

/// A zip file with `manifest` as its manifest.json.
fn bundle_with(manifest: &serde_json::Value) -> Vec<u8> {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file("manifest.json", zip::write::SimpleFileOptions::default())
        .unwrap();
    zip.write_all(manifest.to_string().as_bytes()).unwrap();
    zip.finish().unwrap().into_inner()
}

async fn import_bundle(c: &Browser, base: &str, bytes: Vec<u8>) -> (u16, String) {
    let page = c.get("/library").await;
    let action = page
        .body
        .split("action=\"")
        .find(|a| a.starts_with("/library/bundle"))
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .replace("&amp;", "&");
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name("bundle.zip"),
    );
    let resp = c
        .http
        .post(format!("{base}{action}"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.text().await.unwrap())
}

#[tokio::test]
async fn a_bundle_moves_the_library_between_deployments() {
    let y = year();
    // The first hotline: a document, a link, and two roundtables' best practices.
    let (a_dep, a_server) = hotline().await;
    let a = as_user(&a_server, "trainer@example.org").await;
    let pdf = b"%PDF-1.4\nshared guide\n%%EOF\n";
    let (status, body) = upload(
        &a,
        &a_server.url,
        "guide.pdf",
        pdf,
        "Shared guide",
        "public",
    )
    .await;
    assert_eq!(status, 303, "{body}");
    let p = a
        .submit(
            "/library",
            "/library",
            &[
                ("url", "https://www.example.org/law"),
                ("title", "The trafficking law"),
                ("language", "en"),
                ("audience", "general"),
                ("visibility", "public"),
            ],
        )
        .await;
    assert_eq!(p.status, 303);
    for (theme, level, practice) in [
        ("Open", "public", "Shareable practice"),
        ("Closed", "restricted", "Secret practice"),
    ] {
        let p = a
            .submit(
                "/roundtables",
                "/roundtables",
                &[
                    ("date", &format!("{y}-01-01")),
                    ("theme", theme),
                    ("confidentiality", level),
                ],
            )
            .await;
        let rt = p.location.unwrap().split('?').next().unwrap().to_string();
        let p = a
            .submit(&rt, &format!("{rt}/practices"), &[("title", practice)])
            .await;
        assert_eq!(p.status, 303);
    }
    let out = a_dep.dir.join("bundle.zip");
    let o = a_dep.cli(&["bundle", "export", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let bytes = std::fs::read(&out).unwrap();

    // The second hotline imports it on the web.
    let (b_dep, b_server) = hotline_named(Some("Línea Nacional")).await;
    let b = as_user(&b_server, "trainer@example.org").await;
    let (status, body) = import_bundle(&b, &b_server.url, bytes.clone()).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("3 items added, 0 already here"), "{body}");
    let page = b.get("/library").await;
    assert!(
        page.has("Shared guide")
            && page.has("The trafficking law")
            && page.has("Shareable practice")
    );
    assert!(
        !page.has("Secret practice"),
        "a restricted roundtable's practice never leaves"
    );
    assert!(page.has("From Test Hotline (JP)"), "{}", page.body);
    // Imported items start as staff only.
    assert!(!b_server
        .client()
        .get("/resources")
        .await
        .has("Shared guide"));
    let href = item_href(&page.body, "Shared guide");
    let got = b
        .http
        .get(format!("{}{href}", b_server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(got.bytes().await.unwrap().as_ref(), pdf);

    // The same bundle again, from the command line: nothing twice.
    let again = b_dep.dir.join("again.zip");
    std::fs::write(&again, &bytes).unwrap();
    let o = b_dep.cli(&["bundle", "import", again.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("0 items added, 3 already here"),
        "{}",
        stdout(&o)
    );

    // B's bundle, back into A: A's own items are recognised, nothing is added twice.
    let back = b
        .http
        .get(format!("{}/library/bundle", b_server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(back.status(), 200);
    let back = back.bytes().await.unwrap().to_vec();
    let (status, body) = import_bundle(&a, &a_server.url, back).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("0 items added, 3 already here"), "{body}");

    // A bundle of an unknown format version, or not a bundle at all, imports nothing.
    let future = bundle_with(&serde_json::json!({
        "format": "hotline-bundle", "version": 99,
        "source": {"hotline": "Future", "country": "ES"}, "items": []
    }));
    let (status, body) = import_bundle(&b, &b_server.url, future).await;
    assert_eq!(status, 422);
    assert!(body.contains("format version 99"), "{body}");
    let broken = bundle_with(&serde_json::json!({
        "format": "hotline-bundle", "version": 1,
        "source": {"hotline": "Other", "country": "ES"},
        "items": [
            {"id": "library-1", "kind": "link", "title": "Fine", "url": "https://example.org", "language": "es", "audience": "general"},
            {"id": "library-2", "kind": "file", "title": "Missing document", "file": "files/x.pdf", "original_name": "x.pdf", "language": "es", "audience": "general"}
        ]
    }));
    let (status, body) = import_bundle(&b, &b_server.url, broken).await;
    assert_eq!(status, 422);
    assert!(
        body.contains(&html_escape(
            &text("en", "library.bundle.error.file").replace("%{item}", "Missing document")
        )),
        "{body}"
    );
    assert!(!b.get("/library").await.has("Fine"), "all or nothing");
    let (status, _) = import_bundle(&b, &b_server.url, b"not a zip".to_vec()).await;
    assert_eq!(status, 422);
    let o = b_dep.cli(&[
        "bundle",
        "import",
        b_dep.dir.join("hotline.toml").to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains(&text("en", "library.bundle.error.not_zip")));
}
