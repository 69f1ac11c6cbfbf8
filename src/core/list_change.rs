//! A change to one of the lists a case keeps (its tags, its CC addresses):
//! add or remove one item. An event records its changes, not the whole
//! list, so two clones that each change the list merge into both changes
//! (the merge replays the union of the histories).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// Adds or removes one item, written `+item` or `-item` in an event.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ListChange {
    /// Adds the item (no change when it is there).
    Add(String),
    /// Removes the item (no change when it is not there).
    Remove(String),
}

impl ListChange {
    /// Reads `+item`, `-item` or a bare `item` (which adds).
    pub fn parse(text: &str) -> ListChange {
        if let Some(item) = text.strip_prefix('+') {
            ListChange::Add(item.to_string())
        } else if let Some(item) = text.strip_prefix('-') {
            ListChange::Remove(item.to_string())
        } else {
            ListChange::Add(text.to_string())
        }
    }

    /// The item added or removed.
    pub fn item(&self) -> &str {
        match self {
            ListChange::Add(item) | ListChange::Remove(item) => item,
        }
    }

    /// Whether the change would change `list`.
    pub fn changes(&self, list: &[String]) -> bool {
        match self {
            ListChange::Add(item) => !list.contains(item),
            ListChange::Remove(item) => list.contains(item),
        }
    }

    /// Applies the change to `list`, kept sorted and without duplicates.
    pub fn apply_to(&self, list: &mut Vec<String>) {
        match self {
            ListChange::Add(item) => {
                if let Err(at) = list.binary_search(item) {
                    list.insert(at, item.clone());
                }
            }
            ListChange::Remove(item) => list.retain(|kept| kept != item),
        }
    }
}

/// Applies `changes` in order to `list`, kept sorted and without duplicates.
pub fn apply_all(list: &mut Vec<String>, changes: &[ListChange]) {
    list.sort();
    list.dedup();
    for change in changes {
        change.apply_to(list);
    }
}

impl fmt::Display for ListChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ListChange::Add(item) => write!(f, "+{item}"),
            ListChange::Remove(item) => write!(f, "-{item}"),
        }
    }
}

impl Serialize for ListChange {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ListChange {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        match text.split_at_checked(1) {
            Some(("+", item)) if !item.is_empty() => Ok(ListChange::Add(item.to_string())),
            Some(("-", item)) if !item.is_empty() => Ok(ListChange::Remove(item.to_string())),
            _ => Err(serde::de::Error::custom(format!(
                "a list change is +ITEM or -ITEM, not {text:?}"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_read_and_write_as_plus_and_minus() {
        assert_eq!(ListChange::parse("+ios"), ListChange::Add("ios".into()));
        assert_eq!(ListChange::parse("ios"), ListChange::Add("ios".into()));
        assert_eq!(ListChange::parse("-ios"), ListChange::Remove("ios".into()));
        let yaml = serde_yaml::to_string(&vec![ListChange::parse("+b"), ListChange::parse("-a")]).unwrap();
        let back: Vec<ListChange> = serde_yaml::from_str(&yaml).unwrap();
        assert_eq!(back, vec![ListChange::parse("+b"), ListChange::parse("-a")]);
        assert!(
            serde_yaml::from_str::<ListChange>("ios").is_err(),
            "a bare item is not a recorded change"
        );
        assert!(serde_yaml::from_str::<ListChange>("'+'").is_err());
    }

    #[test]
    fn a_list_stays_sorted_and_unique_and_no_op_changes_are_seen() {
        let mut list = vec!["ios".to_string()];
        assert!(!ListChange::parse("+ios").changes(&list));
        assert!(!ListChange::parse("-web").changes(&list));
        apply_all(&mut list, &[ListChange::parse("+billing"), ListChange::parse("+ios")]);
        assert_eq!(list, ["billing", "ios"]);
        apply_all(&mut list, &[ListChange::parse("-ios")]);
        assert_eq!(list, ["billing"]);
    }
}
