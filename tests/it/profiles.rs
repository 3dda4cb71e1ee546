//! Officers' public profiles over real HTTP: a photo uploaded from a phone is shrunk and
//! stripped, shown on the program page only while the officer agrees, and refused when
//! it is not a photo, too large, or a small file that would decode to a huge one.

use std::io::Cursor;

use image::{DynamicImage, ImageBuffer, ImageFormat, Rgb};
use reqwest::header::COOKIE;
use reqwest::multipart::{Form, Part};

use crate::actors::{OTHER_OFFICER, post_page, session};
use crate::applications::spawn;
use crate::helpers::{Backend, TestApp};
use crate::on_both_backends;

pub fn png(width: u32, height: u32) -> Vec<u8> {
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

/// Deflate's bits, least significant first.
#[derive(Default)]
struct Bits {
    out: Vec<u8>,
    acc: u64,
    len: u32,
}

impl Bits {
    fn put(&mut self, value: u32, count: u32) {
        self.acc |= u64::from(value) << self.len;
        self.len += count;
        while self.len >= 8 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.len -= 8;
        }
    }

    /// Huffman codes go most significant bit first.
    fn code(&mut self, code: u32, count: u32) {
        self.put(code.reverse_bits() >> (32 - count), count);
    }

    fn finish(mut self) -> Vec<u8> {
        if self.len > 0 {
            self.out.push(self.acc as u8);
        }
        self.out
    }
}

/// A zlib stream of `n` zero bytes: one fixed-Huffman block of a literal zero and then
/// copies of 258 bytes from one byte back, 13 bits each (about 1:1000).
fn zlib_zeros(n: usize) -> Vec<u8> {
    const LITERAL_ZERO: (u32, u32) = (0b0011_0000, 8);
    let mut bits = Bits::default();
    bits.put(1, 1); // the last block
    bits.put(1, 2); // fixed Huffman codes
    bits.code(LITERAL_ZERO.0, LITERAL_ZERO.1);
    let mut left = n - 1;
    while left >= 258 {
        bits.code(0b1100_0101, 8); // length 258 (code 285)
        bits.code(0, 5); // distance 1
        left -= 258;
    }
    for _ in 0..left {
        bits.code(LITERAL_ZERO.0, LITERAL_ZERO.1);
    }
    bits.code(0, 7); // end of block
    let mut out = vec![0x78, 0x01];
    out.extend(bits.finish());
    // Adler-32 of zeros: a stays 1, b counts the bytes.
    let adler = ((n % 65521) as u32) << 16 | 1;
    out.extend(adler.to_be_bytes());
    out
}

fn crc32(bytes: &[u8]) -> u32 {
    !bytes.iter().fold(!0_u32, |mut c, b| {
        c ^= u32::from(*b);
        for _ in 0..8 {
            c = if c & 1 == 1 { (c >> 1) ^ 0xEDB8_8320 } else { c >> 1 };
        }
        c
    })
}

/// A complete, valid PNG of one colour (black): every row is filter byte 0 and zeros,
/// so the file stays small however large the picture.
fn one_colour_png(width: u32, height: u32, bit_depth: u8, colour_type: u8) -> Vec<u8> {
    let channels = match colour_type {
        0 => 1,
        2 => 3,
        6 => 4,
        other => panic!("colour type {other}"),
    };
    let row = (width as usize * channels * usize::from(bit_depth)).div_ceil(8);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut chunk = |kind: &[u8], data: &[u8]| {
        png.extend(u32::try_from(data.len()).unwrap().to_be_bytes());
        let body = [kind, data].concat();
        png.extend(&body);
        png.extend(crc32(&body).to_be_bytes());
    };
    let mut header = Vec::new();
    header.extend(width.to_be_bytes());
    header.extend(height.to_be_bytes());
    header.extend([bit_depth, colour_type, 0, 0, 0]);
    chunk(b"IHDR", &header);
    chunk(b"IDAT", &zlib_zeros(height as usize * (1 + row)));
    chunk(b"IEND", &[]);
    png
}

async fn decompression_bombs_are_refused_with_a_reason(backend: Backend) {
    let app = spawn(backend).await;
    let jenna = session(&app, OTHER_OFFICER).await;
    // The builder makes real PNGs: a small one decodes to what it says.
    let small = image::load_from_memory(&one_colour_png(64, 48, 8, 2)).unwrap();
    assert_eq!((small.width(), small.height()), (64, 48));
    assert!(small.to_rgb8().pixels().all(|p| p.0 == [0, 0, 0]));

    let too_many = "The photo has too many pixels to process (at most 8000 on a side)";
    for (what, png) in [
        // 400 million pixels (1.6 GB as RGBA) in about 300 KB.
        ("20000 × 20000", one_colour_png(20_000, 20_000, 1, 0)),
        // Within 8000 a side, but 288 MB once decoded, in under 2 MB.
        ("6000 × 6000 at 16-bit RGBA", one_colour_png(6000, 6000, 16, 6)),
    ] {
        assert!(png.len() < 2 * 1024 * 1024, "{what}: {} bytes", png.len());
        let (status, page) = upload(&app, &jenna, png, "bomb.png").await;
        assert_eq!(status, 422, "{what}");
        assert!(page.contains(too_many), "{what}");
    }
    let own = app
        .client
        .get(format!("{}/staff/profile/photo.jpg", app.address))
        .header(COOKIE, &jenna)
        .send()
        .await
        .unwrap();
    assert_eq!(own.status().as_u16(), 404, "nothing was stored");
    assert_eq!(app.get("/healthz").await.status().as_u16(), 200);
}

on_both_backends!(
    a_photo_shows_only_while_the_officer_agrees,
    decompression_bombs_are_refused_with_a_reason,
);
