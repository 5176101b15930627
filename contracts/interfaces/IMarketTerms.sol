// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IMarketTypes} from "./IMarketTypes.sol";

/// @title IMarketTerms
/// @notice The marketplace's terms: admin-set rates and windows, each bounded, kept as immutable
/// versions in a contract of their own (the marketplace deploys it and reads it). A change makes
/// a new version that becomes current `TERMS_DELAY` after it was set; a listing takes the current
/// version when it is created and every order of the listing settles under it. So a change never
/// reaches an open order or a ladder already signed. The marketplace's admin sets the terms.
interface IMarketTerms is IMarketTypes {
    /// @notice Emitted when the admin sets new terms `termsId` (read them with `termsOf`), current
    /// from `effectiveFrom`.
    event TermsScheduled(uint256 indexed termsId, uint256 effectiveFrom);

    /// @notice The caller is not the marketplace's admin.
    error MarketTermsUnauthorized(address caller);
    /// @notice A rate is outside its bound (see the implementation's constants).
    error MarketTermsRatesOutOfBounds();
    /// @notice A window is shorter than the minimum or longer than the maximum window.
    error MarketTermsWindowsOutOfBounds();

    /// @notice Schedules new rates (windows unchanged). Marketplace admin only; replaces a version
    /// still pending (the new one builds on it).
    function setRates(Rates calldata newRates) external;

    /// @notice Schedules new windows (rates unchanged). Marketplace admin only; replaces a
    /// version still pending (the new one builds on it).
    function setWindows(Windows calldata newWindows) external;

    /// @notice The marketplace these terms belong to (its admin sets them).
    function market() external view returns (address);

    /// @notice The rates new listings get now.
    function rates() external view returns (Rates memory);

    /// @notice The windows new listings get now.
    function windows() external view returns (Windows memory);

    /// @notice Id of the terms new listings get now.
    function currentTermsId() external view returns (uint256);

    /// @notice The pending terms id and when it becomes current (zeros if none).
    function pendingTerms() external view returns (uint256 termsId, uint256 effectiveFrom);

    /// @notice Terms version `termsId` (never changes once set).
    function termsOf(uint256 termsId) external view returns (Terms memory);

    /// @notice The rates of terms version `termsId`.
    function ratesOf(uint256 termsId) external view returns (Rates memory);

    /// @notice The windows of terms version `termsId`.
    function windowsOf(uint256 termsId) external view returns (Windows memory);

    /// @notice What a listing of a model of `tournament` created now snapshots.
    /// @return termsId The current terms id.
    /// @return feeBps Its fee.
    /// @return minBondBps Its minimum bond ratio.
    /// @return verdictWindow Its verdict window, raised to `firstScoreDelay(tournament)`.
    function listingTerms(uint32 tournament)
        external
        view
        returns (uint32 termsId, uint16 feeBps, uint16 minBondBps, uint32 verdictWindow);

    /// @notice Shortest verdict window for a model of `tournament`: time from a round's submission
    /// deadline until its first live score is out, plus a day's margin. Classic (8) and crypto
    /// (12): 4 days; signals (11) and any other tournament: 7 days.
    function firstScoreDelay(uint32 tournament) external pure returns (uint32);
}
