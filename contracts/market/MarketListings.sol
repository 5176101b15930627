// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";
import {IModelRegistry} from "../interfaces/IModelRegistry.sol";
import {IMarketListings} from "../interfaces/IMarketListings.sol";
import {MarketReputation} from "./MarketReputation.sol";

/// @title MarketListings
/// @notice Listings and ask ladders: who may sell, which ladder is valid, and taking units off it.
abstract contract MarketListings is MarketReputation, IMarketListings {
    bytes32 public constant LADDER_TYPEHASH = keccak256(
        "Ladder(uint256 listingId,uint16 round,uint16 version,uint32 counter,uint32 deliverBy,uint32 expiry,uint256[] prices,uint256[] units)"
    );

    bytes32 private constant _DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");

    /// @notice Where model ownership is read.
    IModelRegistry public immutable registry;
    // The EIP-712 domain ("nmrx Marketplace", "1") cached for the deployment chain; recomputed
    // if the chain id changes (a fork), so a signature never carries over to another chain.
    bytes32 private immutable _cachedDomainSeparator;
    uint256 private immutable _cachedChainId;

    /// @dev A listing as stored: the fields of `Listing` (see there) in another order, so that
    /// all a fill writes (version, sold, soldRound) sits in the first slot, written once.
    /// Slot 0 (bits): seller 0-159, mode 160-167, closed 168-175, version 176-191, sold 192-223,
    /// soldRound 224-239. Slot 1: modelId 0-127, fromRound 128-143, toRound 144-159, feeBps
    /// 160-175, minBondBps 176-191, terms 192-223, verdictWindow 224-255.
    struct StoredListing {
        address seller;
        Mode mode;
        bool closed;
        uint16 version;
        uint32 sold;
        uint16 soldRound;
        uint128 modelId;
        uint16 fromRound;
        uint16 toRound;
        uint16 feeBps;
        uint16 minBondBps;
        uint32 terms;
        uint32 verdictWindow;
    }

    mapping(uint256 listingId => StoredListing) internal _listings;
    mapping(uint256 listingId => bytes32) private _posted;
    uint256 private _listingCount;

    constructor(IModelRegistry registry_) {
        registry = registry_;
        _cachedChainId = block.chainid;
        _cachedDomainSeparator = _buildDomainSeparator();
    }

    /// @inheritdoc IMarketListings
    function createListing(bytes32 modelId, Mode mode, uint16 fromRound, uint16 toRound)
        external
        returns (uint256 listingId)
    {
        if (uint256(modelId) > type(uint128).max) revert MarketplaceInvalidModelId(modelId);
        IModelRegistry.Model memory m = registry.modelOf(modelId);
        if (m.owner != msg.sender) revert MarketplaceNotModelOwner(modelId, msg.sender);
        if (fromRound == 0 || toRound < fromRound) revert MarketplaceInvalidRounds(fromRound, toRound);
        Seller storage s = _sellers[msg.sender];
        if (s.bond == 0 || s.bond < s.locked) revert MarketplaceBondTooLow(msg.sender, s.bond, s.locked);
        // The listing's terms are the current ones, for good: a ladder signed for it never reprices.
        (uint32 termsId, uint16 feeBps, uint16 minBondBps, uint32 verdictWindow) = terms.listingTerms(m.tournament);

        listingId = ++_listingCount;
        StoredListing memory l = StoredListing({
            seller: msg.sender,
            mode: mode,
            closed: false,
            version: 0,
            sold: 0,
            soldRound: 0,
            modelId: uint128(uint256(modelId)),
            fromRound: fromRound,
            toRound: toRound,
            feeBps: feeBps,
            minBondBps: minBondBps,
            terms: termsId,
            verdictWindow: verdictWindow
        });
        _listings[listingId] = l;
        emit ListingCreated(
            listingId, msg.sender, modelId, mode, fromRound, toRound, termsId, feeBps, minBondBps, verdictWindow
        );
    }

    /// @inheritdoc IMarketListings
    function closeListing(uint256 listingId) external {
        StoredListing storage l = _sellersOpenListing(listingId);
        l.closed = true;
        emit ListingClosed(listingId, msg.sender);
    }

    /// @inheritdoc IMarketListings
    function postLadder(Ladder calldata ladder) external {
        StoredListing storage l = _sellersOpenListing(ladder.listingId);
        _checkLadder(l, ladder);
        if (ladder.version < l.version) revert MarketplaceStaleVersion(ladder.listingId, l.version);
        bytes32 ladderHash = _hashLadder(ladder, ladder.prices, ladder.units);
        _posted[ladder.listingId] = ladderHash;
        emit LadderPosted(ladder.listingId, ladderHash, ladder);
    }

    /// @inheritdoc IMarketListings
    function cancelLadder(uint256 listingId, uint16 version) external {
        StoredListing storage l = _sellersOpenListing(listingId);
        if (version < l.version) revert MarketplaceStaleVersion(listingId, l.version);
        uint16 next = version + 1;
        l.version = next;
        l.sold = 0;
        emit LadderVersionChanged(listingId, next);
    }

    /// @inheritdoc IMarketListings
    function cancelAllLadders() external {
        uint32 counter = ++_sellers[msg.sender].counter;
        emit SellerCounterIncremented(msg.sender, counter);
    }

    /// @inheritdoc IMarketListings
    function DOMAIN_SEPARATOR() public view returns (bytes32) {
        return block.chainid == _cachedChainId ? _cachedDomainSeparator : _buildDomainSeparator();
    }

    /// @inheritdoc IMarketListings
    function listingOf(uint256 listingId) external view returns (Listing memory) {
        StoredListing memory l = _listings[listingId];
        return Listing(
            l.seller,
            l.mode,
            l.closed,
            l.version,
            l.sold,
            l.fromRound,
            l.toRound,
            l.modelId,
            l.soldRound,
            l.feeBps,
            l.minBondBps,
            l.terms,
            l.verdictWindow
        );
    }

    /// @inheritdoc IMarketListings
    function postedLadderOf(uint256 listingId) external view returns (bytes32) {
        return _posted[listingId];
    }

    /// @dev Checks that `ladder` may be filled now: its listing (slots `w0`, `w1`, see
    /// `_listingWords`) is open and lists its round, it has not expired, its counter is the
    /// seller's, the seller signed (or posted) it, and the seller still owns the model.
    function _authorizeFill(uint256 w0, uint256 w1, Ladder calldata ladder, bytes32 r, bytes32 vs)
        internal
        view
    {
        uint256 listingId;
        uint16 round;
        uint32 counter;
        uint32 expiry;
        // The head words read once (each `ladder.x` re-validates), with the decoder's check: a
        // value wider than its type reverts, as the decoder would.
        assembly ("memory-safe") {
            listingId := calldataload(ladder)
            let roundWord := calldataload(add(ladder, 0x20))
            let counterWord := calldataload(add(ladder, 0x60))
            let expiryWord := calldataload(add(ladder, 0xa0))
            if or(shr(16, roundWord), or(shr(32, counterWord), shr(32, expiryWord))) { revert(0, 0) }
            round := roundWord
            counter := counterWord
            expiry := expiryWord
        }
        address seller = address(uint160(w0));
        // closed: bits 168-175 of slot 0; fromRound, toRound: bits 128-143, 144-159 of slot 1.
        if (seller == address(0) || uint8(w0 >> 168) != 0) revert MarketplaceListingNotOpen(listingId);
        if (round < uint16(w1 >> 128) || round > uint16(w1 >> 144)) {
            revert MarketplaceRoundNotListed(listingId, round);
        }
        if (block.timestamp > expiry) revert MarketplaceLadderExpired(expiry);
        if (counter != _sellers[seller].counter) {
            revert MarketplaceLadderCancelled(listingId, ladder.version, counter);
        }
        _checkAuthorized(seller, ladder, r, vs);
        _requireOwner(uint128(w1), seller);
    }

    /// @dev Applies the version and round rules to a fill of `ladder` (listing slot 0 `w0`).
    /// @return soldBefore Units of this version and round sold before this fill.
    /// @return orderId The order's id: where in which ladder its first unit was, so ids never
    /// repeat (a hash of listing id, version, round and `soldBefore`).
    function _soldBefore(uint256 w0, Ladder calldata ladder)
        internal
        pure
        returns (uint256 soldBefore, uint256 orderId)
    {
        uint256 listingId = ladder.listingId;
        uint16 version = ladder.version;
        uint16 round = ladder.round;
        // version, sold, soldRound: bits 176-191, 192-223, 224-239 of slot 0.
        uint16 current = uint16(w0 >> 176);
        uint16 soldRound = uint16(w0 >> 224);
        if (version < current) revert MarketplaceLadderCancelled(listingId, version, ladder.counter);
        if (round < soldRound) revert MarketplaceRoundClosed(listingId, round, soldRound);
        // The sold count belongs to one version and one round: a later round starts from zero.
        if (version == current && round == soldRound) soldBefore = uint32(w0 >> 192);
        // Hashed in free memory (not allocated: the words are not needed afterwards).
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore(p, listingId)
            mstore(add(p, 0x20), version)
            mstore(add(p, 0x40), round)
            mstore(add(p, 0x60), soldBefore)
            orderId := keccak256(p, 0x80)
        }
    }

    /// @dev Records that `sold` units of `ladder`'s version are sold for its round.
    function _recordSold(Ladder calldata ladder, uint256 sold) internal {
        if (sold > type(uint32).max) revert MarketplaceInvalidLadder();
        StoredListing storage stored = _listings[ladder.listingId];
        uint16 version = ladder.version;
        uint16 round = ladder.round;
        // `version`, `sold` and `soldRound` are neighbours in the listing's first slot (bits
        // 176-239, see `StoredListing`): one write for all three, where the compiler writes the
        // slot once per field.
        assembly ("memory-safe") {
            let slot := stored.slot
            let mask := not(shl(176, 0xffffffffffffffff))
            sstore(slot, or(and(sload(slot), mask), shl(176, or(or(version, shl(16, sold)), shl(48, round)))))
        }
    }

    /// @dev The two slots of a listing as words, for the paths that read nearly every field (a
    /// fill, an accepted bid): unpacking a field where it is used costs less than copying the
    /// struct to memory. Layout: see `StoredListing`.
    function _listingWords(StoredListing storage stored) internal view returns (uint256 w0, uint256 w1) {
        assembly ("memory-safe") {
            w0 := sload(stored.slot)
            w1 := sload(add(stored.slot, 1))
        }
    }

    /// @dev Reverts unless `seller` still owns `modelId` in the registry. A bare `staticcall` to
    /// `ownerOf`: the high-level call's extra checks and copies cost more than the call itself.
    function _requireOwner(uint128 modelId, address seller) internal view {
        address reg = address(registry);
        bool owned;
        assembly ("memory-safe") {
            mstore(0, shl(224, 0x7dd56411)) // ownerOf(bytes32)
            mstore(4, modelId)
            // A failed call, a short answer or another owner (dirty bits included) all fail.
            let ok := staticcall(gas(), reg, 0, 0x24, 0, 0x20)
            owned := and(and(ok, gt(returndatasize(), 0x1f)), eq(mload(0), seller))
        }
        if (!owned) revert MarketplaceNotModelOwner(bytes32(uint256(modelId)), seller);
    }

    /// @dev Walks `ladder`'s tiers in order: skips `skip` sold units, then takes up to `want`
    /// units from tiers priced at most `maxUnitPrice`. In assembly (the checked Solidity loop cost
    /// a fill ~600 gas), with the same failures: a units array shorter than the walk reaches is an
    /// out-of-bounds panic (0x32), a cost that overflows an arithmetic panic (0x11); a longer one
    /// is ignored. The arrays are located in assembly too, with the decoder's bounds checks (a
    /// second `ladder.prices` would repeat its full validation).
    function _walk(Ladder calldata ladder, uint256 skip, uint256 want, uint256 maxUnitPrice)
        internal
        pure
        returns (uint256 units, uint256 cost)
    {
        assembly ("memory-safe") {
            function panic(code) {
                mstore(0, shl(224, 0x4e487b71))
                mstore(4, code)
                revert(0, 0x24)
            }
            // The array at head word `slot` of the ladder: its data offset and length, reverting
            // (as the decoder does) unless both lie inside the calldata.
            function array(ladderOffset, slot) -> offset, length {
                let at := add(ladderOffset, calldataload(add(ladderOffset, slot)))
                length := calldataload(at)
                offset := add(at, 0x20)
                if or(gt(length, 0xffffffffffffffff), gt(add(offset, shl(5, length)), calldatasize())) {
                    revert(0, 0)
                }
            }
            let pricesOffset, pricesLength := array(ladder, 0xc0)
            let unitsOffset, unitsLength := array(ladder, 0xe0)
            for { let i := 0 } lt(i, pricesLength) { i := add(i, 1) } {
                if iszero(lt(i, unitsLength)) { panic(0x32) }
                let inTier := calldataload(add(unitsOffset, shl(5, i)))
                switch lt(skip, inTier)
                case 0 { skip := sub(skip, inTier) }
                default {
                    let price := calldataload(add(pricesOffset, shl(5, i)))
                    if or(gt(price, maxUnitPrice), iszero(want)) { break }
                    let take := sub(inTier, skip)
                    if gt(take, want) { take := want }
                    // units <= the caller's maxUnits, so neither line below wraps.
                    units := add(units, take)
                    want := sub(want, take)
                    skip := 0
                    // take > 0 here (inTier > skip): signed prices times counts can overflow.
                    let tierCost := mul(take, price)
                    if iszero(eq(div(tierCost, take), price)) { panic(0x11) }
                    let total := add(cost, tierCost)
                    if lt(total, cost) { panic(0x11) }
                    cost := total
                }
            }
        }
        if (units == 0) revert MarketplaceNothingToFill();
    }

    /// @dev `r == 0` stands for "no signature": the ladder must then be the one posted on-chain.
    function _checkAuthorized(address seller, Ladder calldata ladder, bytes32 r, bytes32 vs) private view {
        bytes32 ladderHash = _hashLadder(ladder, ladder.prices, ladder.units);
        if (r == bytes32(0)) {
            if (_posted[ladder.listingId] != ladderHash) revert MarketplaceLadderNotPosted(ladder.listingId);
            return;
        }
        // slither-disable-next-line unused-return -- the third value only details `err`, which is checked
        (address signer, ECDSA.RecoverError err,) = ECDSA.tryRecover(MessageHashUtils.toTypedDataHash(DOMAIN_SEPARATOR(), ladderHash), r, vs);
        if (err != ECDSA.RecoverError.NoError || signer != seller) revert MarketplaceInvalidSignature();
    }

    function _checkLadder(StoredListing storage l, Ladder calldata ladder) private view {
        if (ladder.round < l.fromRound || ladder.round > l.toRound) {
            revert MarketplaceRoundNotListed(ladder.listingId, ladder.round);
        }
        uint256 tiers = ladder.prices.length;
        if (tiers == 0 || tiers != ladder.units.length) revert MarketplaceInvalidLadder();
    }

    function _openListing(uint256 listingId) internal view returns (StoredListing storage l) {
        l = _listings[listingId];
        if (l.seller == address(0) || l.closed) revert MarketplaceListingNotOpen(listingId);
    }

    function _sellersOpenListing(uint256 listingId) private view returns (StoredListing storage l) {
        l = _openListing(listingId);
        if (l.seller != msg.sender) revert MarketplaceNotSeller(listingId, msg.sender);
    }

    function _buildDomainSeparator() private view returns (bytes32) {
        return keccak256(
            abi.encode(_DOMAIN_TYPEHASH, keccak256("nmrx Marketplace"), keccak256("1"), block.chainid, address(this))
        );
    }

    /// @dev The EIP-712 struct hash of `ladder` (`prices` and `tierUnits` are its arrays). In
    /// assembly to hash the calldata words in place: every field is read (and so validated) by
    /// `_takeFromLadder` or `_checkLadder`, and a dirty field only makes a hash no signer signed.
    function _hashLadder(Ladder calldata ladder, uint256[] calldata prices, uint256[] calldata tierUnits)
        private
        pure
        returns (bytes32 h)
    {
        bytes32 typeHash = LADDER_TYPEHASH;
        assembly ("memory-safe") {
            let p := mload(0x40)
            calldatacopy(p, prices.offset, shl(5, prices.length))
            let pricesHash := keccak256(p, shl(5, prices.length))
            calldatacopy(p, tierUnits.offset, shl(5, tierUnits.length))
            let unitsHash := keccak256(p, shl(5, tierUnits.length))
            mstore(p, typeHash)
            calldatacopy(add(p, 0x20), ladder, 0xc0) // listingId, round, version, counter, deliverBy, expiry
            mstore(add(p, 0xe0), pricesHash)
            mstore(add(p, 0x100), unitsHash)
            h := keccak256(p, 0x120)
        }
    }
}
