#pragma once
// The electronics' operating point from the layout rather than from round numbers: the
// capacitance of a computing line from its parasitics plus an integration capacitor, and the
// comparator's input-referred offset from Pelgrom's mismatch law.
//
// Computing line. A ± line of one output must reach every photodiode of the array, so it is
// routed as a comb: a spine along the rows and one finger along each row,
//   L = rows·cols·pitch + rows·pitch,
// and it carries one switch terminal (junction and gate overlap) per photodiode. Its
// capacitance is
//   C_line = c_wire·L + N_pd·C_switch + C_int,
// with c_wire ≈ 0.2 fF/µm, the capacitance per length of a minimum-pitch wire with its
// neighbours, which stays near that value from one CMOS generation to the next (Ho, Mai &
// Horowitz, "The future of wires", Proc. IEEE 89, 490 (2001)). For ACCEL's 32×32 array at
// 35 µm: L = 36.96 mm, c_wire·L = 7.39 pF, 1024 switches of 0.5 fF add 0.51 pF.
//
// Comparator offset. Two transistors of gate area W·L drawn side by side differ in threshold
// voltage by a Gaussian of σ(ΔV_T) = A_VT/√(W·L) (Pelgrom, Duinmaijer & Welbers, IEEE JSSC
// 24, 1433 (1989)); the input-referred offset of a differential pair is that difference (its
// current-factor term, σ(Δβ/β)·(V_GS − V_T)/2, is a few per cent of it at the low overdrive of
// a comparator's input pair and is left out). A_VT grows with the gate oxide, about
// 1 mV·µm per nm (Pelgrom, Tuinhout & Vertregt, IEDM 1998, 915): 180 nm processes, with about
// 4 nm of oxide, are reported at 4–6 mV·µm for NMOS.

namespace accel::analog {

struct LineLayout {
    int rows = 32, cols = 32;                  // photodiode array the line serves
    double pitch_m = 35e-6;
    double wire_capacitance_F_per_m = 0.2e-9;  // 0.2 fF/µm (Ho, Mai & Horowitz 2001)
    double switch_capacitance_F = 0.5e-15;     // per photodiode terminal; assumed (minimum switch in 180 nm)
};

// Wire length of one computing line (m): rows·cols·pitch + rows·pitch.
[[nodiscard]] double line_length_m(const LineLayout& layout);
// c_wire·L + N_pd·C_switch (F): the capacitance a line has before any integration capacitor.
[[nodiscard]] double parasitic_line_capacitance_F(const LineLayout& layout);

struct InputPair {
    double a_vt_V_m = 5e-9;   // A_VT = 5 mV·µm, NMOS in 180 nm (Pelgrom et al. 1998: ≈ 1 mV·µm per nm of oxide)
    double width_m = 4e-6;    // gate width of each input transistor; assumed
    double length_m = 1e-6;   // gate length; assumed (longer than minimum, for matching)
};

// σ of the input-referred offset, A_VT/√(W·L) (V).
[[nodiscard]] double offset_sigma_V(const InputPair& pair);

// std::invalid_argument naming the member and its range.
void validate(const LineLayout& layout);
void validate(const InputPair& pair);

}  // namespace accel::analog
