//! "Did you mean": the known name nearest to what someone typed, for the
//! hints on customers, tags and canned answers.

/// The known name nearest to `typed`, ignoring case: one that starts with it
/// or that it starts with, else one within a few edits (a third of its
/// length). For "did you mean" hints on customers and tags.
pub fn nearest_name<'a>(typed: &str, names: &[&'a str]) -> Option<&'a str> {
    let typed = typed.trim().to_lowercase();
    if typed.is_empty() {
        return None;
    }
    let lower = |name: &str| name.to_lowercase();
    if let Some(name) = names
        .iter()
        .find(|name| lower(name).starts_with(&typed) || typed.starts_with(&lower(name)))
    {
        return Some(name);
    }
    names
        .iter()
        .map(|name| (edit_distance(&typed, &lower(name)), *name))
        .filter(|(distance, name)| *distance <= (name.chars().count() / 3).max(1))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, name)| name)
}

/// Levenshtein distance over characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nearest_name_is_a_prefix_or_a_few_edits_away() {
        let names = ["Acme Corp", "Globex", "Northwind Traders"];
        assert_eq!(nearest_name("northwind", &names), Some("Northwind Traders"));
        assert_eq!(nearest_name("Acme Crop", &names), Some("Acme Corp"));
        assert_eq!(nearest_name("glbex", &names), Some("Globex"));
        assert_eq!(nearest_name("Initech", &names), None);
        assert_eq!(nearest_name("bill", &["billing", "ios"]), Some("billing"));
        assert_eq!(nearest_name("bilxing", &["billing", "ios"]), Some("billing"));
        assert_eq!(nearest_name("zzz", &["billing", "ios"]), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
