//! Officers' portraits for public program pages. An upload (JPEG or PNG, as a phone takes
//! it) is decoded within limits, turned upright, shrunk to fit 320 × 400 and encoded
//! afresh as JPEG, so no camera metadata (place, device, time) survives and the stored
//! file is one we wrote, whatever was sent.

use std::io::Cursor;

use image::imageops::FilterType;
use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits};

/// The largest upload accepted, before shrinking.
pub const MAX_UPLOAD_BYTES: usize = 8 * 1024 * 1024;
/// The most pixels a side of an upload may have (a 64-megapixel square).
pub const MAX_SIDE: u32 = 8000;
/// The most memory the decoded pixels may take: a `MAX_SIDE` square with four 8-bit
/// channels fits; larger 16-bit images do not.
const MAX_DECODED_BYTES: u64 = 256 * 1024 * 1024;
/// The portrait's bounding box.
pub const WIDTH: u32 = 320;
pub const HEIGHT: u32 = 400;

/// A portrait ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Portrait {
    pub jpeg: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

/// Why an upload was refused, in words for the person uploading.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhotoError {
    #[error("Choose a photo to upload.")]
    Empty,
    #[error("The photo is larger than 8 MB; choose a smaller one.")]
    TooLarge,
    #[error("Upload a JPEG or PNG photo.")]
    NotAPhoto,
    #[error(
        "The photo has too many pixels to process (at most 8000 on a side); choose a smaller one or save it as JPEG."
    )]
    TooManyPixels,
    #[error("The photo could not be read; it may be damaged.")]
    Unreadable,
}

/// The department's logo as stored: PNG (keeping transparency), at most 160 pixels a side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logo {
    pub png: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

/// The logo's bounding box: it shows at 40 pixels, sharp on screens of 4× density.
pub const LOGO_SIDE: u32 = 160;

/// Checks and re-encodes an uploaded logo under the same limits as a portrait.
pub fn logo(bytes: &[u8]) -> Result<Logo, PhotoError> {
    let image = decode(bytes)?;
    let small = image.resize(LOGO_SIDE, LOGO_SIDE, FilterType::Triangle).to_rgba8();
    let mut png = Vec::new();
    small
        .write_to(&mut Cursor::new(&mut png), ImageFormat::Png)
        .map_err(|_| PhotoError::Unreadable)?;
    Ok(Logo {
        width: small.width(),
        height: small.height(),
        png,
    })
}

/// Checks and re-encodes an uploaded photo.
pub fn portrait(bytes: &[u8]) -> Result<Portrait, PhotoError> {
    let image = decode(bytes)?;
    let small = image.resize(WIDTH, HEIGHT, FilterType::Triangle).to_rgb8();
    let mut jpeg = Vec::new();
    small
        .write_with_encoder(image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 85))
        .map_err(|_| PhotoError::Unreadable)?;
    Ok(Portrait {
        width: small.width(),
        height: small.height(),
        jpeg,
    })
}

/// Decodes a JPEG or PNG upload within the size and pixel limits, turned upright.
fn decode(bytes: &[u8]) -> Result<DynamicImage, PhotoError> {
    if bytes.is_empty() {
        return Err(PhotoError::Empty);
    }
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(PhotoError::TooLarge);
    }
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| PhotoError::NotAPhoto)?;
    if !matches!(reader.format(), Some(ImageFormat::Jpeg | ImageFormat::Png)) {
        return Err(PhotoError::NotAPhoto);
    }
    // A small file can claim enormous dimensions (a few kilobytes of compressed zeros can
    // decode to gigabytes); refuse before allocating for them.
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODED_BYTES);
    reader.limits(limits);
    let unreadable = |e: ImageError| match e {
        ImageError::Limits(_) => PhotoError::TooManyPixels,
        _ => PhotoError::Unreadable,
    };
    let mut decoder = reader.into_decoder().map_err(unreadable)?;
    // `max_alloc` bounds the decoder's own buffers, not the image `from_decoder` allocates
    // (only `ImageReader::decode` reserves that, and it cannot honour the orientation).
    if decoder.total_bytes() > MAX_DECODED_BYTES {
        return Err(PhotoError::TooManyPixels);
    }
    // Phones store sideways pixels with an "upright is this way" note; honour it.
    let orientation = decoder.orientation().map_err(|_| PhotoError::Unreadable)?;
    let mut image = DynamicImage::from_decoder(decoder).map_err(unreadable)?;
    image.apply_orientation(orientation);
    Ok(image)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageBuffer, Rgb};

    fn encoded(width: u32, height: u32, format: ImageFormat) -> Vec<u8> {
        let img = ImageBuffer::from_fn(width, height, |x, y| Rgb([(x % 256) as u8, (y % 256) as u8, 90]));
        let mut out = Cursor::new(Vec::new());
        DynamicImage::ImageRgb8(img).write_to(&mut out, format).unwrap();
        out.into_inner()
    }

    #[test]
    fn a_photo_is_shrunk_to_fit_and_keeps_its_shape() {
        let p = portrait(&encoded(1200, 1600, ImageFormat::Png)).unwrap();
        assert_eq!((p.width, p.height), (300, 400));
        assert!(p.jpeg.starts_with(&[0xFF, 0xD8]), "stored as JPEG");
        let back = image::load_from_memory(&p.jpeg).unwrap();
        assert_eq!((back.width(), back.height()), (300, 400));
        let wide = portrait(&encoded(800, 400, ImageFormat::Jpeg)).unwrap();
        assert_eq!((wide.width, wide.height), (320, 160));
    }

    #[test]
    fn a_logo_fits_its_box_as_png() {
        let l = logo(&encoded(600, 300, ImageFormat::Png)).unwrap();
        assert_eq!((l.width, l.height), (160, 80));
        assert!(l.png.starts_with(b"\x89PNG"), "stored as PNG");
        assert_eq!(logo(b"<svg onload=alert(1)>"), Err(PhotoError::NotAPhoto));
    }

    #[test]
    fn camera_metadata_does_not_survive() {
        // A JPEG with an EXIF segment naming a place, inserted after the start marker.
        let plain = encoded(640, 480, ImageFormat::Jpeg);
        let exif = b"Exif\0\0GPS 37.8199 N 122.4783 W Harbor Point home";
        let mut with_exif = vec![0xFF, 0xD8, 0xFF, 0xE1];
        with_exif.extend_from_slice(&u16::try_from(exif.len() + 2).unwrap().to_be_bytes());
        with_exif.extend_from_slice(exif);
        with_exif.extend_from_slice(&plain[2..]);
        assert!(
            image::load_from_memory(&with_exif).is_ok(),
            "the fixture is a valid JPEG"
        );
        let p = portrait(&with_exif).unwrap();
        let found = |needle: &[u8]| p.jpeg.windows(needle.len()).any(|w| w == needle);
        assert!(!found(b"Exif") && !found(b"GPS"));
    }

    #[test]
    fn what_is_not_a_photo_is_refused() {
        assert_eq!(portrait(b""), Err(PhotoError::Empty));
        assert_eq!(portrait(b"GIF89a not really"), Err(PhotoError::NotAPhoto));
        assert_eq!(portrait(b"<svg onload=alert(1)>"), Err(PhotoError::NotAPhoto));
        assert_eq!(portrait(b"BM\x3a\0\0\0\0\0\0\0\x36\0\0\0"), Err(PhotoError::NotAPhoto));
        let mut truncated = encoded(200, 200, ImageFormat::Png);
        truncated.truncate(100);
        assert_eq!(portrait(&truncated), Err(PhotoError::Unreadable));
        assert_eq!(portrait(&vec![0; MAX_UPLOAD_BYTES + 1]), Err(PhotoError::TooLarge));
    }

    /// A small PNG whose header (with a correct checksum) claims other dimensions and
    /// colours; the pixel data stays that of a 2 × 2 image.
    fn claiming(width: u32, height: u32, bit_depth: u8, colour_type: u8) -> Vec<u8> {
        let mut png = encoded(2, 2, ImageFormat::Png);
        png[16..20].copy_from_slice(&width.to_be_bytes());
        png[20..24].copy_from_slice(&height.to_be_bytes());
        png[24] = bit_depth;
        png[25] = colour_type;
        let crc = png[12..29].iter().fold(!0_u32, |mut c, b| {
            c ^= u32::from(*b);
            for _ in 0..8 {
                c = if c & 1 == 1 { (c >> 1) ^ 0xEDB8_8320 } else { c >> 1 };
            }
            c
        });
        png[29..33].copy_from_slice(&(!crc).to_be_bytes());
        png
    }

    #[test]
    fn a_small_file_claiming_huge_dimensions_is_refused_before_decoding() {
        assert_eq!(
            portrait(&claiming(100_000, 100_000, 8, 2)),
            Err(PhotoError::TooManyPixels)
        );
        assert_eq!(
            portrait(&claiming(MAX_SIDE + 1, 10, 8, 2)),
            Err(PhotoError::TooManyPixels)
        );
    }

    #[test]
    fn pixels_within_the_sides_but_over_the_memory_budget_are_refused_before_decoding() {
        // 6000 × 6000 at 16 bits per channel of RGBA: 288 MB once decoded.
        assert_eq!(portrait(&claiming(6000, 6000, 16, 6)), Err(PhotoError::TooManyPixels));
        // The same at 8 bits per RGB channel (108 MB) is within budget: it gets as far as
        // reading the (missing) pixel data.
        assert_eq!(portrait(&claiming(6000, 6000, 8, 2)), Err(PhotoError::Unreadable));
    }
}
