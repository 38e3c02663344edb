//! The resource library: uploads checked against their type, stored under data/ and served
//! safely; links; search; staff-only and public items; a roundtable's best practice
//! published to the public library.

use crate::cases::{as_user, hotline, year};
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
