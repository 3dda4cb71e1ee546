//! Officers' public profiles over real HTTP: a photo uploaded from a phone is shrunk and
//! stripped, shown on the program page only while the officer agrees, and refused when
//! it is not a photo or too large.

use std::io::Cursor;

use image::{DynamicImage, ImageBuffer, ImageFormat, Rgb};
use reqwest::header::COOKIE;
use reqwest::multipart::{Form, Part};

use crate::applications::spawn;
use crate::helpers::{Backend, TestApp};
use crate::on_both_backends;
use crate::staff::{OTHER_OFFICER, post_page, session};

fn png(width: u32, height: u32) -> Vec<u8> {
    let img = ImageBuffer::from_fn(width, height, |x, y| Rgb([(x % 256) as u8, (y % 256) as u8, 120]));
    let mut out = Cursor::new(Vec::new());
    DynamicImage::ImageRgb8(img)
        .write_to(&mut out, ImageFormat::Png)
        .unwrap();
    out.into_inner()
}

async fn upload(app: &TestApp, cookie: &str, bytes: Vec<u8>, name: &str) -> (u16, String) {
    let form = Form::new().part("photo", Part::bytes(bytes).file_name(name.to_string()));
    let res = app
        .client
        .post(format!("{}/staff/profile/photo", app.address))
        .header(COOKIE, cookie)
        .multipart(form)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

async fn a_photo_shows_only_while_the_officer_agrees(backend: Backend) {
    let app = spawn(backend).await;
    let jenna = session(&app, OTHER_OFFICER).await; // a resource officer with a public profile
    let id = crate::duties::staff_id(&app, "Jenna Brandt").await;
    let photo_url = format!("/officers/{id}/photo.jpg");
    assert_eq!(app.get(&photo_url).await.status().as_u16(), 404, "no photo yet");

    // Not a photo, and too large, are refused with a reason.
    let (status, page) = upload(&app, &jenna, b"just some text".to_vec(), "notes.txt").await;
    assert_eq!(status, 422);
    assert!(page.contains("Upload a JPEG or PNG photo."));
    let (status, page) = upload(&app, &jenna, vec![0xFF; 9 * 1024 * 1024], "huge.jpg").await;
    assert_eq!(status, 422);
    assert!(page.contains("The photo is larger than 8 MB; choose a smaller one."));
    // Other routes keep the ordinary limit.
    let big = "x".repeat(100 * 1024);
    assert_eq!(
        post_page(&app, &jenna, "/staff/profile", &[("public", &big)]).await.0,
        413
    );

    let (status, _) = upload(&app, &jenna, png(900, 1200), "portrait.png").await;
    assert_eq!(status, 303);
    let page = app.page_as(&jenna, "/staff/profile").await;
    assert!(
        page.contains("width=\"300\" height=\"400\" alt=\"Your current photo\""),
        "{page}"
    );

    // On the public page of the program her duty serves, as a small JPEG we wrote.
    let (_, program) = app.get_text("/programs/resource-officers").await;
    assert!(program.contains(&format!("src=\"{photo_url}\"")), "{program}");
    assert!(program.contains("<strong>Officer Jenna Brandt</strong>"));
    let res = app.get(&photo_url).await;
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(res.headers()["content-type"], "image/jpeg");
    let bytes = res.bytes().await.unwrap();
    let shown = image::load_from_memory_with_format(&bytes, ImageFormat::Jpeg).unwrap();
    assert_eq!((shown.width(), shown.height()), (300, 400));

    // She withdraws her consent: counted, not named, and the photo is gone from public view.
    let (status, _, _) = post_page(&app, &jenna, "/staff/profile", &[]).await;
    assert_eq!(status, 303);
    let (_, program) = app.get_text("/programs/resource-officers").await;
    assert!(!program.contains("Jenna Brandt") && !program.contains(&photo_url));
    assert_eq!(app.get(&photo_url).await.status().as_u16(), 404);
    // She still sees her own.
    let own = app
        .client
        .get(format!("{}/staff/profile/photo.jpg", app.address))
        .header(COOKIE, &jenna)
        .send()
        .await
        .unwrap();
    assert_eq!(own.status().as_u16(), 200);
    assert_eq!(own.headers()["cache-control"], "private, no-store");

    // Agreeing again shows it; removing it leaves her named without a picture.
    post_page(&app, &jenna, "/staff/profile", &[("public", "yes")]).await;
    assert_eq!(app.get(&photo_url).await.status().as_u16(), 200);
    post_page(&app, &jenna, "/staff/profile/photo/remove", &[]).await;
    let (_, program) = app.get_text("/programs/resource-officers").await;
    assert!(program.contains("Officer Jenna Brandt") && !program.contains(&photo_url));
    let actions: Vec<String> = app
        .store
        .audit_for("staff", &id.to_string())
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.action)
        .collect();
    assert_eq!(
        actions,
        [
            "profile.photo",
            "profile.consent",
            "profile.consent",
            "profile.photo_removed"
        ]
    );
}

on_both_backends!(a_photo_shows_only_while_the_officer_agrees);
