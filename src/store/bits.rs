//! One bit per item (a case file, a directory entry): a million items take
//! 125 KB.

/// A set of small numbers, one bit each. It grows as bits are set: a bit
/// past its end reads as clear.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Bits(Vec<u64>);

impl Bits {
    /// Room for `len` bits, all clear.
    pub fn new(len: usize) -> Bits {
        Bits(vec![0; len.div_ceil(64)])
    }

    /// Whether bit `at` is set.
    pub fn get(&self, at: usize) -> bool {
        self.0.get(at / 64).is_some_and(|word| word & (1 << (at % 64)) != 0)
    }

    /// Sets bit `at`, growing the set when it is past its end.
    pub fn set(&mut self, at: usize) {
        let word = at / 64;
        if self.0.len() <= word {
            self.0.resize(word + 1, 0);
        }
        self.0[word] |= 1 << (at % 64);
    }

    /// Clears bit `at`.
    pub fn clear(&mut self, at: usize) {
        if let Some(word) = self.0.get_mut(at / 64) {
            *word &= !(1 << (at % 64));
        }
    }

    /// How many bits are set.
    pub fn count(&self) -> usize {
        self.0.iter().map(|word| word.count_ones() as usize).sum()
    }

    /// Sets every bit `other` has set.
    pub fn merge(&mut self, other: &Bits) {
        if self.0.len() < other.0.len() {
            self.0.resize(other.0.len(), 0);
        }
        for (mine, theirs) in self.0.iter_mut().zip(&other.0) {
            *mine |= theirs;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_set_clear_count_and_grow() {
        let mut bits = Bits::new(70);
        assert!(!bits.get(3) && !bits.get(69) && !bits.get(1000));
        bits.set(3);
        bits.set(69);
        bits.set(200);
        assert!(bits.get(3) && bits.get(69) && bits.get(200));
        assert_eq!(bits.count(), 3);
        bits.clear(69);
        bits.clear(5000);
        assert!(!bits.get(69));
        assert_eq!(bits.count(), 2);
    }

    #[test]
    fn merging_sets_the_union() {
        let mut small = Bits::default();
        small.set(1);
        let mut large = Bits::default();
        large.set(130);
        small.merge(&large);
        assert!(small.get(1) && small.get(130));
        assert_eq!(small.count(), 2);
    }
}
