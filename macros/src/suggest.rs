//! "did you mean `created_at`?": the closest known name to a misspelt one.

/// The candidate closest to `name`, if one is close enough to be a likely
/// typo: an edit distance of at most a third of the name's length (at least
/// one), the same name in another case, or (for names of 3+ chars) a prefix
/// of the candidate, as in `max_page` for `max_page_size`. Ties go to the first candidate,
/// so the output does not depend on anything but the input order.
pub fn closest<'a, I>(name: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let limit = (name.chars().count() / 3).max(1);
    let lower = name.to_lowercase();
    let mut best: Option<(usize, &'a str)> = None;
    for candidate in candidates {
        if candidate == name {
            continue;
        }
        let distance = if candidate.to_lowercase() == lower {
            0
        } else if name.len() >= 3 && candidate.starts_with(name) {
            limit
        } else {
            edit_distance(name, candidate)
        };
        if distance <= limit && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, candidate)| candidate)
}

/// `"; did you mean `x`?"` when a candidate is close, else nothing: appended
/// to an "unknown ..." message.
pub fn did_you_mean<'a, I>(name: &str, candidates: I) -> String
where
    I: IntoIterator<Item = &'a str>,
{
    closest(name, candidates)
        .map(|c| format!("; did you mean `{c}`?"))
        .unwrap_or_default()
}

/// Edit distance counting insertions, deletions, substitutions and swaps of
/// two adjacent chars (optimal string alignment): `titel` is one edit from
/// `title`.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // rows[i][j]: the distance between a[..i] and b[..j].
    let mut rows = vec![vec![0; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = d;
        }
    }
    rows[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance() {
        assert_eq!(edit_distance("", ""), 0);
        assert_eq!(edit_distance("abc", ""), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("create_at", "created_at"), 1);
        assert_eq!(edit_distance("größe", "grosse"), 3);
        assert_eq!(edit_distance("titel", "title"), 1);
        assert_eq!(edit_distance("ca", "abc"), 3);
    }

    #[test]
    fn suggests_close_names_only() {
        let fields = ["id", "title", "created_at"];
        assert_eq!(closest("create_at", fields), Some("created_at"));
        assert_eq!(closest("titel", fields), Some("title"));
        assert_eq!(closest("ID", fields), Some("id"));
        assert_eq!(closest("i", fields), Some("id"));
        assert_eq!(closest("author", fields), None);
        assert_eq!(closest("created", fields), Some("created_at"));
        assert_eq!(
            closest("max_page", ["max_page_size", "table"]),
            Some("max_page_size")
        );
        assert_eq!(
            closest("id", fields),
            None,
            "an exact match is not a suggestion"
        );
        assert_eq!(did_you_mean("tite", fields), "; did you mean `title`?");
        assert_eq!(did_you_mean("zzz", fields), "");
    }

    #[test]
    fn ties_go_to_the_first_candidate() {
        assert_eq!(closest("ab", ["aa", "bb"]), Some("aa"));
        assert_eq!(closest("ab", ["bb", "aa"]), Some("bb"));
    }
}
