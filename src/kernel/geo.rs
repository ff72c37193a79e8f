//! The city's districts as simplified outlines, for a map that works offline and for
//! telling which district a place is in. The outlines are a hand-simplified schematic
//! (a few dozen shared corners, neighbours share their borders exactly), good for
//! orientation and for counting by district; they are not a surveyed boundary and not a
//! map for publication.

/// A corner: (longitude, latitude).
type Corner = (f64, f64);

// The shore of Jiaozhou Bay, clockwise from the east side of its mouth.
const TUANDAO: Corner = (120.29, 36.05);
const BAY_SHINAN_SHIBEI: Corner = (120.31, 36.09);
const BAY_SHIBEI_LICANG: Corner = (120.33, 36.14);
const BAY_LICANG_CHENGYANG: Corner = (120.35, 36.21);
const HONGDAO: Corner = (120.28, 36.27);
const BAY_CHENGYANG_JIAOZHOU: Corner = (120.13, 36.27);
const BAY_WEST: Corner = (120.04, 36.20);
const BAY_JIAOZHOU_HUANGDAO: Corner = (120.10, 36.12);
const BAY_SOUTHWEST: Corner = (120.18, 36.05);
const HUANGDAO_TIP: Corner = (120.26, 36.02);
// The west coast's sea shore and the city's western border.
const WEST_COAST: [Corner; 4] = [(120.20, 35.95), (120.05, 35.85), (119.90, 35.65), (119.72, 35.58)];
const HUANGDAO_WEST: [Corner; 2] = [(119.55, 35.80), (119.55, 36.00)];
const HUANGDAO_JIAOZHOU_WEST: Corner = (119.65, 36.15);
const HUANGDAO_JIAOZHOU: Corner = (119.90, 36.14);
const JIAOZHOU_PINGDU_WEST: Corner = (119.62, 36.38);
const JIAOZHOU_PINGDU: Corner = (119.80, 36.52);
const JIAOZHOU_PINGDU_JIMO: Corner = (120.13, 36.47);
const JIAOZHOU_JIMO_CHENGYANG: Corner = (120.12, 36.36);
// The north.
const PINGDU_WEST: [Corner; 3] = [(119.55, 36.72), (119.75, 37.00), (119.95, 37.13)];
const PINGDU_LAIXI_NORTH: Corner = (120.18, 37.10);
const PINGDU_LAIXI: Corner = (120.30, 36.90);
const PINGDU_LAIXI_JIMO: Corner = (120.28, 36.68);
const LAIXI_NORTH: [Corner; 3] = [(120.45, 37.13), (120.70, 37.05), (120.80, 36.88)];
const LAIXI_JIMO_EAST: Corner = (120.70, 36.70);
const LAIXI_JIMO: Corner = (120.50, 36.66);
// Jimo's coast and the east.
const JIMO_COAST: [Corner; 4] = [(120.90, 36.55), (120.98, 36.45), (120.80, 36.38), (120.70, 36.40)];
const COAST_JIMO_LAOSHAN: Corner = (120.62, 36.33);
const LAOSHAN_JIMO_CHENGYANG: Corner = (120.50, 36.30);
const JIMO_CHENGYANG: Corner = (120.35, 36.40);
const LAOSHAN_CHENGYANG_LICANG: Corner = (120.45, 36.22);
const LAOSHAN_LICANG_SHIBEI: Corner = (120.43, 36.13);
const LAOSHAN_SHIBEI_SHINAN: Corner = (120.40, 36.085);
const COAST_SHINAN_LAOSHAN: Corner = (120.44, 36.065);
const LAOSHAN_COAST: [Corner; 4] = [(120.50, 36.08), (120.60, 36.10), (120.70, 36.14), (120.68, 36.26)];
const SHINAN_COAST: [Corner; 2] = [(120.37, 36.05), (120.33, 36.05)];

pub struct District {
    pub name: &'static str,
    /// Where its name is written, and whether the name sits off the district (over water)
    /// with a line to it, for districts too small to hold their name.
    pub label: Corner,
    pub leader: Option<Corner>,
    pub outline: Vec<Corner>,
}

fn join(parts: &[&[Corner]]) -> Vec<Corner> {
    parts.iter().flat_map(|p| p.iter().copied()).collect()
}

/// The ten districts and county-level cities of Qingdao, in the official order (built
/// once).
pub fn districts() -> &'static [District] {
    static DISTRICTS: std::sync::LazyLock<Vec<District>> = std::sync::LazyLock::new(outlines);
    &DISTRICTS
}

fn outlines() -> Vec<District> {
    let d = |name, label, leader, outline| District { name, label, leader, outline };
    vec![
        d(
            "市南区",
            (120.30, 35.99),
            Some((120.36, 36.06)),
            join(&[&[TUANDAO, BAY_SHINAN_SHIBEI, LAOSHAN_SHIBEI_SHINAN, COAST_SHINAN_LAOSHAN], &SHINAN_COAST]),
        ),
        d(
            "市北区",
            (120.13, 36.15),
            Some((120.36, 36.11)),
            vec![BAY_SHINAN_SHIBEI, BAY_SHIBEI_LICANG, LAOSHAN_LICANG_SHIBEI, LAOSHAN_SHIBEI_SHINAN],
        ),
        d(
            "李沧区",
            (120.15, 36.225),
            Some((120.39, 36.17)),
            vec![BAY_SHIBEI_LICANG, BAY_LICANG_CHENGYANG, LAOSHAN_CHENGYANG_LICANG, LAOSHAN_LICANG_SHIBEI],
        ),
        d(
            "崂山区",
            (120.54, 36.17),
            None,
            join(&[
                &[LAOSHAN_JIMO_CHENGYANG, COAST_JIMO_LAOSHAN],
                &reversed(&LAOSHAN_COAST),
                &[COAST_SHINAN_LAOSHAN, LAOSHAN_SHIBEI_SHINAN, LAOSHAN_LICANG_SHIBEI, LAOSHAN_CHENGYANG_LICANG],
            ]),
        ),
        d(
            "西海岸新区",
            (119.82, 35.92),
            None,
            join(&[
                &[BAY_JIAOZHOU_HUANGDAO, BAY_SOUTHWEST, HUANGDAO_TIP],
                &WEST_COAST,
                &HUANGDAO_WEST,
                &[HUANGDAO_JIAOZHOU_WEST, HUANGDAO_JIAOZHOU],
            ]),
        ),
        d(
            "城阳区",
            (120.30, 36.33),
            None,
            vec![
                JIAOZHOU_JIMO_CHENGYANG,
                JIMO_CHENGYANG,
                LAOSHAN_JIMO_CHENGYANG,
                LAOSHAN_CHENGYANG_LICANG,
                BAY_LICANG_CHENGYANG,
                HONGDAO,
                BAY_CHENGYANG_JIAOZHOU,
            ],
        ),
        d(
            "即墨区",
            (120.50, 36.50),
            None,
            join(&[
                &[JIAOZHOU_PINGDU_JIMO, PINGDU_LAIXI_JIMO, LAIXI_JIMO, LAIXI_JIMO_EAST],
                &JIMO_COAST,
                &[COAST_JIMO_LAOSHAN, LAOSHAN_JIMO_CHENGYANG, JIMO_CHENGYANG, JIAOZHOU_JIMO_CHENGYANG],
            ]),
        ),
        d(
            "胶州市",
            (119.88, 36.33),
            None,
            vec![
                BAY_CHENGYANG_JIAOZHOU,
                BAY_WEST,
                BAY_JIAOZHOU_HUANGDAO,
                HUANGDAO_JIAOZHOU,
                HUANGDAO_JIAOZHOU_WEST,
                JIAOZHOU_PINGDU_WEST,
                JIAOZHOU_PINGDU,
                JIAOZHOU_PINGDU_JIMO,
                JIAOZHOU_JIMO_CHENGYANG,
            ],
        ),
        d(
            "平度市",
            (119.90, 36.80),
            None,
            join(&[
                &[JIAOZHOU_PINGDU_WEST],
                &PINGDU_WEST,
                &[PINGDU_LAIXI_NORTH, PINGDU_LAIXI, PINGDU_LAIXI_JIMO, JIAOZHOU_PINGDU_JIMO, JIAOZHOU_PINGDU],
            ]),
        ),
        d(
            "莱西市",
            (120.50, 36.88),
            None,
            join(&[
                &[PINGDU_LAIXI_NORTH],
                &LAIXI_NORTH,
                &[LAIXI_JIMO_EAST, LAIXI_JIMO, PINGDU_LAIXI_JIMO, PINGDU_LAIXI],
            ]),
        ),
    ]
}

fn reversed(corners: &[Corner]) -> Vec<Corner> {
    corners.iter().rev().copied().collect()
}

/// The area the map shows: (south, north, west, east).
pub const BOUNDS: (f64, f64, f64, f64) = (35.50, 37.20, 119.45, 121.05);

/// Which district a place lies in, by the simplified outlines; `None` at sea or outside.
pub fn district_at(lat: f64, lon: f64) -> Option<&'static str> {
    districts().iter().find(|d| contains(&d.outline, (lon, lat))).map(|d| d.name)
}

/// Even-odd ray casting; a point exactly on a shared border belongs to one of the two.
fn contains(outline: &[Corner], (x, y): Corner) -> bool {
    let mut inside = false;
    let mut j = outline.len() - 1;
    for i in 0..outline.len() {
        let ((xi, yi), (xj, yj)) = (outline[i], outline[j]);
        if (yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi {
            inside = !inside;
        }
        j = i;
    }
    inside
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_known_places_fall_in_their_districts() {
        for (place, lat, lon, district) in [
            ("五四广场", 36.062, 120.384, Some("市南区")),
            ("台东", 36.092, 120.352, Some("市北区")),
            ("李村", 36.158, 120.428, Some("李沧区")),
            ("崂山风景区", 36.16, 120.62, Some("崂山区")),
            ("黄岛区政府", 35.960, 120.198, Some("西海岸新区")),
            ("城阳区政府", 36.307, 120.396, Some("城阳区")),
            ("即墨区政府", 36.389, 120.447, Some("即墨区")),
            ("胶州市政府", 36.264, 120.033, Some("胶州市")),
            ("平度市政府", 36.777, 119.988, Some("平度市")),
            ("莱西市政府", 36.889, 120.518, Some("莱西市")),
            ("胶州湾", 36.15, 120.22, None),
            ("黄海", 35.90, 120.60, None),
        ] {
            assert_eq!(district_at(lat, lon), district, "{place}");
        }
    }

    #[test]
    fn every_outline_is_within_the_map() {
        let (s, n, w, e) = BOUNDS;
        for d in districts() {
            assert!(d.outline.len() >= 3, "{}", d.name);
            for (lon, lat) in d.outline.iter().chain([&d.label]) {
                assert!((s..=n).contains(lat) && (w..=e).contains(lon), "{} at {lat},{lon}", d.name);
            }
        }
    }
}
