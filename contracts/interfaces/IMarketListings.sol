// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IMarketTypes} from "./IMarketTypes.sol";

/// @title IMarketListings
/// @notice Listings (one model, a round range, one mode) and their ask ladders. Only the model's
/// registered owner may list it. Ladders are signed off-chain (EIP-712, bound to chain id, this
/// contract, the seller's counter, a version and an expiry) or posted on-chain. A listing fixes
/// its terms when it is created (current terms id, fee, minimum bond ratio, verdict window): a
/// ladder signed for it always sells on those terms. Every sale re-checks the model's owner.
interface IMarketListings is IMarketTypes {
    /// @notice Emitted when `seller` lists `modelId`.
    event ListingCreated(
        uint256 indexed listingId,
        address indexed seller,
        bytes32 indexed modelId,
        Mode mode,
        uint16 fromRound,
        uint16 toRound,
        uint32 terms,
        uint16 feeBps,
        uint16 minBondBps,
        uint32 verdictWindow
    );
    /// @notice Emitted when a listing stops selling (open orders are unaffected).
    event ListingClosed(uint256 indexed listingId, address closedBy);
    /// @notice Emitted when a seller posts a ladder on-chain; it can then be filled without a signature.
    event LadderPosted(uint256 indexed listingId, bytes32 ladderHash, Ladder ladder);
    /// @notice Emitted when a listing moves to `version`, cancelling every lower version.
    event LadderVersionChanged(uint256 indexed listingId, uint16 version);
    /// @notice Emitted when a seller bumps its counter, cancelling all its outstanding ladders.
    event SellerCounterIncremented(address indexed seller, uint32 counter);

    /// @notice `caller` is not the registered owner of `modelId`.
    error MarketplaceNotModelOwner(bytes32 modelId, address caller);
    /// @notice The round range is empty or starts at zero.
    error MarketplaceInvalidRounds(uint16 fromRound, uint16 toRound);
    /// @notice The listing does not exist or is closed.
    error MarketplaceListingNotOpen(uint256 listingId);
    /// @notice `caller` is not the listing's seller.
    error MarketplaceNotSeller(uint256 listingId, address caller);
    /// @notice The ladder's round is outside the listing's range.
    error MarketplaceRoundNotListed(uint256 listingId, uint16 round);
    /// @notice The ladder's tiers are empty, unequal in length, or a tier is zero.
    error MarketplaceInvalidLadder();
    /// @notice The ladder's expiry has passed.
    error MarketplaceLadderExpired(uint32 expiry);
    /// @notice The ladder was cancelled: stale version or old seller counter.
    error MarketplaceLadderCancelled(uint256 listingId, uint16 version, uint32 counter);
    /// @notice The signature is not the seller's over this ladder on this chain and contract.
    error MarketplaceInvalidSignature();
    /// @notice No signature given and the ladder is not the one posted for the listing.
    error MarketplaceLadderNotPosted(uint256 listingId);
    /// @notice No unit to take: every tier is sold out or priced over the limit, or zero units asked.
    error MarketplaceNothingToFill();
    /// @notice A model id above 128 bits (a model id is a UUID).
    error MarketplaceInvalidModelId(bytes32 modelId);
    /// @notice The listing already sold a later round; an earlier round can no longer be filled.
    error MarketplaceRoundClosed(uint256 listingId, uint16 round, uint16 soldRound);
    /// @notice A version lower than the listing's current one.
    error MarketplaceStaleVersion(uint256 listingId, uint32 current);

    /// @notice Lists `modelId` for rounds `fromRound`..`toRound` in `mode`. The caller must be the
    /// model's owner in the ModelRegistry and hold a bond.
    /// @return listingId The new listing's id.
    function createListing(bytes32 modelId, Mode mode, uint16 fromRound, uint16 toRound) external returns (uint256 listingId);

    /// @notice Closes a listing. Seller only. (A listing whose seller no longer owns the model
    /// cannot sell anyway: every sale re-checks the registry.)
    function closeListing(uint256 listingId) external;

    /// @notice Posts `ladder` on-chain so buyers can fill it without a signature. Seller only.
    function postLadder(Ladder calldata ladder) external;

    /// @notice Cancels every ladder of `listingId` up to `version` (moves the listing to
    /// `version + 1` with nothing sold). Seller only.
    function cancelLadder(uint256 listingId, uint16 version) external;

    /// @notice Cancels every ladder the caller ever signed, by bumping its counter.
    function cancelAllLadders() external;

    /// @notice The EIP-712 domain separator ladders are signed under: name "nmrx Marketplace",
    /// version "1", this chain's id and this contract's address.
    function DOMAIN_SEPARATOR() external view returns (bytes32);

    /// @notice A listing.
    function listingOf(uint256 listingId) external view returns (Listing memory);

    /// @notice The hash of the ladder posted on-chain for `listingId` (zero if none).
    function postedLadderOf(uint256 listingId) external view returns (bytes32);
}
