//! Photos people send: where they were taken is removed unless they choose to keep it.
//! A JPEG's APP1 Exif segments (which hold GPS tags) and a PNG's `eXIf` chunks are
//! dropped; the picture itself is kept byte for byte.

/// Whether `bytes` are a JPEG or a PNG, the two kinds of photo accepted from the public.
pub fn is_photo(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0xFF, 0xD8, 0xFF]) || bytes.starts_with(b"\x89PNG\r\n\x1a\n")
}

/// The photo without its Exif metadata (location, camera, time), or `None` when the
/// file is not a well-formed JPEG or PNG.
pub fn without_exif(bytes: &[u8]) -> Option<Vec<u8>> {
    if bytes.starts_with(&[0xFF, 0xD8]) {
        jpeg(bytes)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        png(bytes)
    } else {
        None
    }
}

fn jpeg(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut out = bytes[..2].to_vec();
    let mut at = 2;
    loop {
        if bytes.get(at)? != &0xFF {
            return None;
        }
        let marker = *bytes.get(at + 1)?;
        // Start of scan: the compressed picture runs to the end of the file.
        if marker == 0xDA {
            out.extend_from_slice(&bytes[at..]);
            return Some(out);
        }
        if marker == 0xD9 {
            out.extend_from_slice(&bytes[at..at + 2]);
            return Some(out);
        }
        let len = usize::from(u16::from_be_bytes([*bytes.get(at + 2)?, *bytes.get(at + 3)?]));
        let end = at + 2 + len;
        let segment = bytes.get(at..end)?;
        let exif = marker == 0xE1 && segment.get(4..10) == Some(b"Exif\0\0".as_slice());
        if !exif {
            out.extend_from_slice(segment);
        }
        at = end;
    }
}

fn png(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut out = bytes[..8].to_vec();
    let mut at = 8;
    while at < bytes.len() {
        let len = u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?) as usize;
        let kind = bytes.get(at + 4..at + 8)?;
        let end = at.checked_add(12)?.checked_add(len)?;
        let chunk = bytes.get(at..end)?;
        if kind != b"eXIf" {
            out.extend_from_slice(chunk);
        }
        at = end;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::without_exif;

    fn segment(marker: u8, body: &[u8]) -> Vec<u8> {
        let mut s = vec![0xFF, marker];
        s.extend_from_slice(&((body.len() + 2) as u16).to_be_bytes());
        s.extend_from_slice(body);
        s
    }

    #[test]
    fn a_jpegs_exif_is_removed_and_the_picture_kept() {
        let mut jpeg = vec![0xFF, 0xD8];
        jpeg.extend(segment(0xE0, b"JFIF\0\x01\x01"));
        jpeg.extend(segment(0xE1, b"Exif\0\0GPS 36.0671N 120.3826E"));
        jpeg.extend(segment(0xDB, &[0; 8]));
        jpeg.extend([0xFF, 0xDA, 0, 4, 1, 2, 0x55, 0x66, 0xFF, 0xD9]);
        let clean = without_exif(&jpeg).expect("a JPEG");
        assert!(!clean.windows(4).any(|w| w == b"Exif"), "no Exif left");
        assert!(clean.ends_with(&[0x55, 0x66, 0xFF, 0xD9]), "the picture is kept");
        assert_eq!(clean.len(), jpeg.len() - segment(0xE1, b"Exif\0\0GPS 36.0671N 120.3826E").len());
        assert!(without_exif(&[0xFF, 0xD8, 0x00]).is_none(), "a broken file is refused");
    }

    #[test]
    fn a_pngs_exif_chunk_is_removed() {
        let chunk = |kind: &[u8], body: &[u8]| {
            let mut c = (body.len() as u32).to_be_bytes().to_vec();
            c.extend_from_slice(kind);
            c.extend_from_slice(body);
            c.extend_from_slice(&[0; 4]);
            c
        };
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        png.extend(chunk(b"IHDR", &[0; 13]));
        png.extend(chunk(b"eXIf", b"GPS"));
        png.extend(chunk(b"IEND", &[]));
        let clean = without_exif(&png).expect("a PNG");
        assert!(!clean.windows(4).any(|w| w == b"eXIf"));
        assert!(clean.windows(4).any(|w| w == b"IEND"));
    }
}
