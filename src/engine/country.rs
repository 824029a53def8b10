//! Country names and codes.
//!
//! Lists name countries every which way: OFAC prints `Korea, North`,
//! `Congo, Democratic Republic of the` and `Burma`; the UN prints
//! `Democratic People's Republic of Korea`, `Iran (Islamic Republic of)` and
//! `Türkiye`; a Mexican firm's own list says `México` or `Estados Unidos`;
//! remarks and nationality fields use adjectives (`Mexican`, `Colombian`).
//! [`iso2`] maps all of these, and the ISO 3166-1 alpha-2 and alpha-3 codes,
//! to the upper-case alpha-2 code so that countries can be compared;
//! [`name`] gives a display name back.
//!
//! Matching ignores case, accents and punctuation, strips a leading `The`,
//! a `Region:` prefix and parenthesised qualifiers, and reads inverted forms
//! (`Korea, North`, `Man, Isle of`, `Bahamas, The`) both ways.
//!
//! Besides the 249 ISO 3166-1 countries the table knows a few codes lists
//! still use: `XK` (Kosovo, user-assigned but universal), and the
//! transitionally reserved `AN` (Netherlands Antilles), `SU` (Soviet Union),
//! `YU` (Yugoslavia) and `CS` (Serbia and Montenegro). Names that do not
//! denote one country (`Region: Crimea`, `Region: Kafia Kingi`,
//! `undetermined`, `Korea`, `Virgin Islands`) map to `None`.

use std::collections::HashMap;
use std::sync::OnceLock;

struct Country {
    alpha2: &'static str,
    alpha3: &'static str,
    name: &'static str,
    /// Other names: official and list spellings, Spanish names, nationality
    /// adjectives. Written naturally; they are normalised when indexed.
    aliases: &'static [&'static str],
}

const fn c(
    alpha2: &'static str,
    alpha3: &'static str,
    name: &'static str,
    aliases: &'static [&'static str],
) -> Country {
    Country { alpha2, alpha3, name, aliases }
}

#[rustfmt::skip]
static COUNTRIES: &[Country] = &[
    c("AF", "AFG", "Afghanistan", &["Islamic Republic of Afghanistan", "Islamic Emirate of Afghanistan", "Afganistán", "Afghan", "afgano", "afgana"]),
    c("AX", "ALA", "Åland Islands", &["Aland", "Islas Åland"]),
    c("AL", "ALB", "Albania", &["Republic of Albania", "Albanian", "albanés", "albanesa"]),
    c("DZ", "DZA", "Algeria", &["People's Democratic Republic of Algeria", "Argelia", "Algerian", "argelino", "argelina"]),
    c("AS", "ASM", "American Samoa", &["Samoa Americana", "American Samoan"]),
    c("AD", "AND", "Andorra", &["Principality of Andorra", "Andorran", "andorrano", "andorrana"]),
    c("AO", "AGO", "Angola", &["Republic of Angola", "Angolan", "angoleño", "angoleña"]),
    c("AI", "AIA", "Anguilla", &["Anguila", "Anguillan"]),
    c("AQ", "ATA", "Antarctica", &["Antártida", "Antartida"]),
    c("AG", "ATG", "Antigua and Barbuda", &["Antigua", "Antigua y Barbuda", "Antiguan", "Barbudan"]),
    c("AR", "ARG", "Argentina", &["Argentine Republic", "República Argentina", "Argentine", "Argentinian", "Argentinean", "argentino", "argentina"]),
    c("AM", "ARM", "Armenia", &["Republic of Armenia", "Armenian", "armenio", "armenia"]),
    c("AW", "ABW", "Aruba", &["Aruban", "arubeño", "arubeña"]),
    c("AU", "AUS", "Australia", &["Commonwealth of Australia", "Australian", "australiano", "australiana"]),
    c("AT", "AUT", "Austria", &["Republic of Austria", "Austrian", "austriaco", "austriaca", "austríaco", "austríaca"]),
    c("AZ", "AZE", "Azerbaijan", &["Republic of Azerbaijan", "Azerbaiyán", "Azerbaijani", "Azeri", "azerbaiyano", "azerbaiyana"]),
    c("BS", "BHS", "Bahamas", &["The Bahamas", "Commonwealth of the Bahamas", "Bahamian", "bahameño", "bahameña"]),
    c("BH", "BHR", "Bahrain", &["Kingdom of Bahrain", "Baréin", "Bahréin", "Bahrein", "Bahraini", "bareiní"]),
    c("BD", "BGD", "Bangladesh", &["People's Republic of Bangladesh", "Bangladeshi", "bangladesí"]),
    c("BB", "BRB", "Barbados", &["Barbadian", "Bajan", "barbadense"]),
    c("BY", "BLR", "Belarus", &["Republic of Belarus", "Byelorussia", "Belorussia", "Bielorrusia", "Belarusian", "Belarussian", "bielorruso", "bielorrusa"]),
    c("BE", "BEL", "Belgium", &["Kingdom of Belgium", "Bélgica", "Belgian", "belga"]),
    c("BZ", "BLZ", "Belize", &["Belice", "Belizean", "beliceño", "beliceña"]),
    c("BJ", "BEN", "Benin", &["Republic of Benin", "Benín", "Dahomey", "Beninese", "beninés", "beninesa"]),
    c("BM", "BMU", "Bermuda", &["Bermudas", "Bermudian", "Bermudan"]),
    c("BT", "BTN", "Bhutan", &["Kingdom of Bhutan", "Bután", "Bhutanese"]),
    c("BO", "BOL", "Bolivia", &["Plurinational State of Bolivia", "Bolivia (Plurinational State of)", "Bolivian", "boliviano", "boliviana"]),
    c("BQ", "BES", "Bonaire, Sint Eustatius and Saba", &["Caribbean Netherlands", "Bonaire", "Sint Eustatius", "Saba"]),
    c("BA", "BIH", "Bosnia and Herzegovina", &["Bosnia-Herzegovina", "Bosnia", "Bosnia y Herzegovina", "Bosnian", "bosnio", "bosnia"]),
    c("BW", "BWA", "Botswana", &["Republic of Botswana", "Botsuana", "Motswana", "Batswana"]),
    c("BV", "BVT", "Bouvet Island", &["Isla Bouvet"]),
    c("BR", "BRA", "Brazil", &["Federative Republic of Brazil", "Brasil", "Brazilian", "brasileño", "brasileña"]),
    c("IO", "IOT", "British Indian Ocean Territory", &["Chagos Islands"]),
    c("BN", "BRN", "Brunei", &["Brunei Darussalam", "Bruneian", "bruneano"]),
    c("BG", "BGR", "Bulgaria", &["Republic of Bulgaria", "Bulgarian", "búlgaro", "búlgara"]),
    c("BF", "BFA", "Burkina Faso", &["Upper Volta", "Burkinabe", "Burkinabé", "burkinés"]),
    c("BI", "BDI", "Burundi", &["Republic of Burundi", "Burundian", "burundés"]),
    c("CV", "CPV", "Cabo Verde", &["Cape Verde", "Republic of Cabo Verde", "Cape Verdean", "Cabo Verdean", "caboverdiano", "caboverdiana"]),
    c("KH", "KHM", "Cambodia", &["Kingdom of Cambodia", "Kampuchea", "Camboya", "Cambodian", "Khmer", "camboyano", "camboyana"]),
    c("CM", "CMR", "Cameroon", &["Republic of Cameroon", "Camerún", "Cameroonian", "camerunés", "camerunesa"]),
    c("CA", "CAN", "Canada", &["Canadá", "Canadian", "canadiense"]),
    c("KY", "CYM", "Cayman Islands", &["Caymans", "Islas Caimán", "Islas Caiman", "Caymanian"]),
    c("CF", "CAF", "Central African Republic", &["CAR", "República Centroafricana", "Centrafrique", "Central African", "centroafricano", "centroafricana"]),
    c("TD", "TCD", "Chad", &["Republic of Chad", "Tchad", "Chadian", "chadiano", "chadiana"]),
    c("CL", "CHL", "Chile", &["Republic of Chile", "República de Chile", "Chilean", "chileno", "chilena"]),
    c("CN", "CHN", "China", &["People's Republic of China", "PRC", "Mainland China", "República Popular China", "Chinese", "chino", "china"]),
    c("CX", "CXR", "Christmas Island", &["Isla de Navidad"]),
    c("CC", "CCK", "Cocos (Keeling) Islands", &["Cocos Islands", "Keeling Islands", "Cocos Keeling Islands"]),
    c("CO", "COL", "Colombia", &["Republic of Colombia", "República de Colombia", "Colombian", "colombiano", "colombiana"]),
    c("KM", "COM", "Comoros", &["Union of the Comoros", "Comoras", "Comorian", "comorense"]),
    c("CG", "COG", "Republic of the Congo", &["Congo", "Congo-Brazzaville", "Congo Brazzaville", "Congo, Republic of the", "Republic of Congo", "Congo (Brazzaville)", "República del Congo"]),
    c("CD", "COD", "Democratic Republic of the Congo", &["DR Congo", "DRC", "Congo-Kinshasa", "Congo Kinshasa", "Congo, Democratic Republic of the", "Democratic Republic of Congo", "Congo (Kinshasa)", "Congo, The Democratic Republic of the", "Zaire", "República Democrática del Congo", "RDC"]),
    c("CK", "COK", "Cook Islands", &["Islas Cook"]),
    c("CR", "CRI", "Costa Rica", &["Republic of Costa Rica", "República de Costa Rica", "Costa Rican", "costarricense"]),
    c("CI", "CIV", "Côte d'Ivoire", &["Cote d Ivoire", "Ivory Coast", "Republic of Côte d'Ivoire", "Costa de Marfil", "Ivorian", "marfileño", "marfileña"]),
    c("HR", "HRV", "Croatia", &["Republic of Croatia", "Hrvatska", "Croacia", "Croatian", "Croat", "croata"]),
    c("CU", "CUB", "Cuba", &["Republic of Cuba", "República de Cuba", "Cuban", "cubano", "cubana"]),
    c("CW", "CUW", "Curaçao", &["Curazao", "Curacaoan"]),
    c("CY", "CYP", "Cyprus", &["Republic of Cyprus", "Chipre", "Cypriot", "chipriota"]),
    c("CZ", "CZE", "Czechia", &["Czech Republic", "República Checa", "Chequia", "Czech", "checo", "checa"]),
    c("DK", "DNK", "Denmark", &["Kingdom of Denmark", "Dinamarca", "Danish", "Dane", "danés", "danesa"]),
    c("DJ", "DJI", "Djibouti", &["Republic of Djibouti", "Yibuti", "Djiboutian", "yibutiano"]),
    c("DM", "DMA", "Dominica", &["Commonwealth of Dominica"]),
    c("DO", "DOM", "Dominican Republic", &["República Dominicana", "Republica Dominicana", "Dominican", "dominicano", "dominicana"]),
    c("EC", "ECU", "Ecuador", &["Republic of Ecuador", "República del Ecuador", "Ecuadorian", "Ecuadorean", "ecuatoriano", "ecuatoriana"]),
    c("EG", "EGY", "Egypt", &["Arab Republic of Egypt", "Egipto", "Egyptian", "egipcio", "egipcia"]),
    c("SV", "SLV", "El Salvador", &["Republic of El Salvador", "Salvadoran", "Salvadorean", "salvadoreño", "salvadoreña"]),
    c("GQ", "GNQ", "Equatorial Guinea", &["Republic of Equatorial Guinea", "Guinea Ecuatorial", "Equatoguinean", "Equatorial Guinean", "ecuatoguineano"]),
    c("ER", "ERI", "Eritrea", &["State of Eritrea", "Eritrean", "eritreo", "eritrea"]),
    c("EE", "EST", "Estonia", &["Republic of Estonia", "Estonian", "estonio", "estonia"]),
    c("SZ", "SWZ", "Eswatini", &["Swaziland", "Kingdom of Eswatini", "Esuatini", "Suazilandia", "Swazi"]),
    c("ET", "ETH", "Ethiopia", &["Federal Democratic Republic of Ethiopia", "Etiopía", "Etiopia", "Ethiopian", "etíope"]),
    c("FK", "FLK", "Falkland Islands", &["Falkland Islands (Malvinas)", "Falklands", "Islas Malvinas", "Malvinas", "Falkland Islander"]),
    c("FO", "FRO", "Faroe Islands", &["Faroes", "Faeroe Islands", "Islas Feroe", "Faroese"]),
    c("FJ", "FJI", "Fiji", &["Republic of Fiji", "Fiyi", "Fijian", "fiyiano"]),
    c("FI", "FIN", "Finland", &["Republic of Finland", "Finlandia", "Finnish", "Finn", "finlandés", "finlandesa"]),
    c("FR", "FRA", "France", &["French Republic", "Francia", "French", "francés", "francesa"]),
    c("GF", "GUF", "French Guiana", &["Guayana Francesa", "Guyane"]),
    c("PF", "PYF", "French Polynesia", &["Polinesia Francesa", "Tahiti"]),
    c("TF", "ATF", "French Southern Territories", &["French Southern and Antarctic Lands"]),
    c("GA", "GAB", "Gabon", &["Gabonese Republic", "Gabón", "Gabonese", "gabonés", "gabonesa"]),
    c("GM", "GMB", "Gambia", &["The Gambia", "Republic of the Gambia", "Gambian", "gambiano", "gambiana"]),
    c("GE", "GEO", "Georgia", &["Sakartvelo", "Georgian", "georgiano", "georgiana"]),
    c("DE", "DEU", "Germany", &["Federal Republic of Germany", "Deutschland", "Alemania", "German", "alemán", "alemana", "West Germany"]),
    c("GH", "GHA", "Ghana", &["Republic of Ghana", "Ghanaian", "ghanés", "ghanesa"]),
    c("GI", "GIB", "Gibraltar", &["Gibraltarian"]),
    c("GR", "GRC", "Greece", &["Hellenic Republic", "Grecia", "Greek", "griego", "griega"]),
    c("GL", "GRL", "Greenland", &["Groenlandia", "Greenlandic"]),
    c("GD", "GRD", "Grenada", &["Granada", "Grenadian"]),
    c("GP", "GLP", "Guadeloupe", &["Guadalupe"]),
    c("GU", "GUM", "Guam", &["Guamanian"]),
    c("GT", "GTM", "Guatemala", &["Republic of Guatemala", "República de Guatemala", "Guatemalan", "guatemalteco", "guatemalteca"]),
    c("GG", "GGY", "Guernsey", &["Bailiwick of Guernsey"]),
    c("GN", "GIN", "Guinea", &["Republic of Guinea", "Guinea-Conakry", "Guinea Conakry", "Guinean", "guineano", "guineana"]),
    c("GW", "GNB", "Guinea-Bissau", &["Republic of Guinea-Bissau", "Guinea Bissau", "Bissau-Guinean", "Bissau Guinean"]),
    c("GY", "GUY", "Guyana", &["Co-operative Republic of Guyana", "Guayana", "Guyanese", "guyanés", "guyanesa"]),
    c("HT", "HTI", "Haiti", &["Republic of Haiti", "Haití", "Haitian", "haitiano", "haitiana"]),
    c("HM", "HMD", "Heard Island and McDonald Islands", &["Heard and McDonald Islands"]),
    c("VA", "VAT", "Holy See", &["Vatican", "Vatican City", "Vatican City State", "Holy See (Vatican City State)", "Santa Sede", "Ciudad del Vaticano", "Vaticano"]),
    c("HN", "HND", "Honduras", &["Republic of Honduras", "República de Honduras", "Honduran", "hondureño", "hondureña"]),
    c("HK", "HKG", "Hong Kong", &["Hong Kong SAR", "Hong Kong, China", "China, Hong Kong Special Administrative Region", "Hong Kong Special Administrative Region", "Hongkong", "Hong Konger", "hongkonés"]),
    c("HU", "HUN", "Hungary", &["Hungría", "Hungria", "Hungarian", "húngaro", "húngara"]),
    c("IS", "ISL", "Iceland", &["Islandia", "Icelandic", "Icelander", "islandés", "islandesa"]),
    c("IN", "IND", "India", &["Republic of India", "Bharat", "Indian", "indio", "india", "hindú"]),
    c("ID", "IDN", "Indonesia", &["Republic of Indonesia", "Indonesian", "indonesio", "indonesia"]),
    c("IR", "IRN", "Iran", &["Islamic Republic of Iran", "Iran, Islamic Republic of", "Iran (Islamic Republic of)", "Persia", "Irán", "Iranian", "iraní"]),
    c("IQ", "IRQ", "Iraq", &["Republic of Iraq", "Irak", "Iraqi", "iraquí"]),
    c("IE", "IRL", "Ireland", &["Republic of Ireland", "Eire", "Éire", "Irlanda", "Irish", "irlandés", "irlandesa"]),
    c("IM", "IMN", "Isle of Man", &["Man, Isle of", "Isla de Man", "Manx"]),
    c("IL", "ISR", "Israel", &["State of Israel", "Israeli", "israelí"]),
    c("IT", "ITA", "Italy", &["Italian Republic", "Italia", "Italian", "italiano", "italiana"]),
    c("JM", "JAM", "Jamaica", &["Jamaican", "jamaiquino", "jamaiquina", "jamaicano", "jamaicana"]),
    c("JP", "JPN", "Japan", &["Japón", "Japon", "Nippon", "Japanese", "japonés", "japonesa"]),
    c("JE", "JEY", "Jersey", &["Bailiwick of Jersey"]),
    c("JO", "JOR", "Jordan", &["Hashemite Kingdom of Jordan", "Jordania", "Jordanian", "jordano", "jordana"]),
    c("KZ", "KAZ", "Kazakhstan", &["Republic of Kazakhstan", "Kazajistán", "Kazajstán", "Kazakh", "Kazakhstani", "kazajo", "kazaja"]),
    c("KE", "KEN", "Kenya", &["Republic of Kenya", "Kenia", "Kenyan", "keniano", "keniana"]),
    c("KI", "KIR", "Kiribati", &["I-Kiribati"]),
    c("KP", "PRK", "North Korea", &["Korea, North", "Democratic People's Republic of Korea", "Korea, Democratic People's Republic of", "Korea (Democratic People's Republic of)", "DPRK", "D.P.R.K.", "Corea del Norte", "North Korean", "norcoreano", "norcoreana"]),
    c("KR", "KOR", "South Korea", &["Korea, South", "Republic of Korea", "Korea, Republic of", "Korea (Republic of)", "ROK", "Corea del Sur", "South Korean", "surcoreano", "surcoreana"]),
    c("KW", "KWT", "Kuwait", &["State of Kuwait", "Kuwaiti", "kuwaití"]),
    c("KG", "KGZ", "Kyrgyzstan", &["Kyrgyz Republic", "Kirghizia", "Kirguistán", "Kyrgyz", "Kyrgyzstani", "kirguís"]),
    c("LA", "LAO", "Laos", &["Lao People's Democratic Republic", "Lao PDR", "Lao", "Laotian", "laosiano", "laosiana"]),
    c("LV", "LVA", "Latvia", &["Republic of Latvia", "Letonia", "Latvian", "letón", "letona"]),
    c("LB", "LBN", "Lebanon", &["Lebanese Republic", "Líbano", "Libano", "Lebanese", "libanés", "libanesa"]),
    c("LS", "LSO", "Lesotho", &["Kingdom of Lesotho", "Lesoto", "Basotho", "Mosotho"]),
    c("LR", "LBR", "Liberia", &["Republic of Liberia", "Liberian", "liberiano", "liberiana"]),
    c("LY", "LBY", "Libya", &["State of Libya", "Libyan Arab Jamahiriya", "Libia", "Libyan", "libio", "libia"]),
    c("LI", "LIE", "Liechtenstein", &["Principality of Liechtenstein", "Liechtensteiner"]),
    c("LT", "LTU", "Lithuania", &["Republic of Lithuania", "Lituania", "Lithuanian", "lituano", "lituana"]),
    c("LU", "LUX", "Luxembourg", &["Grand Duchy of Luxembourg", "Luxemburgo", "Luxembourgish", "Luxembourger", "luxemburgués", "luxemburguesa"]),
    c("MO", "MAC", "Macao", &["Macau", "Macao SAR", "China, Macao Special Administrative Region", "Macao Special Administrative Region", "Macanese"]),
    c("MG", "MDG", "Madagascar", &["Republic of Madagascar", "Malagasy", "malgache"]),
    c("MW", "MWI", "Malawi", &["Republic of Malawi", "Malaui", "Malawian", "malauí"]),
    c("MY", "MYS", "Malaysia", &["Malasia", "Malaysian", "malasio", "malasia"]),
    c("MV", "MDV", "Maldives", &["Republic of Maldives", "Maldivas", "Maldivian", "maldivo", "maldiva"]),
    c("ML", "MLI", "Mali", &["Republic of Mali", "Malí", "Malian", "maliense"]),
    c("MT", "MLT", "Malta", &["Republic of Malta", "Maltese", "maltés", "maltesa"]),
    c("MH", "MHL", "Marshall Islands", &["Republic of the Marshall Islands", "Islas Marshall", "Marshallese"]),
    c("MQ", "MTQ", "Martinique", &["Martinica"]),
    c("MR", "MRT", "Mauritania", &["Islamic Republic of Mauritania", "Mauritanian", "mauritano", "mauritana"]),
    c("MU", "MUS", "Mauritius", &["Republic of Mauritius", "Mauricio", "Mauritian", "mauriciano", "mauriciana"]),
    c("YT", "MYT", "Mayotte", &["Mayota"]),
    c("MX", "MEX", "Mexico", &["México", "United Mexican States", "Estados Unidos Mexicanos", "Mejico", "Méjico", "Mexican", "mexicano", "mexicana"]),
    c("FM", "FSM", "Micronesia", &["Federated States of Micronesia", "Micronesia, Federated States of", "Micronesia (Federated States of)", "Micronesian"]),
    c("MD", "MDA", "Moldova", &["Republic of Moldova", "Moldova, Republic of", "Moldavia", "Moldovan", "moldavo", "moldava"]),
    c("MC", "MCO", "Monaco", &["Principality of Monaco", "Mónaco", "Monegasque", "Monacan", "monegasco", "monegasca"]),
    c("MN", "MNG", "Mongolia", &["Mongolian", "mongol", "mongola"]),
    c("ME", "MNE", "Montenegro", &["Montenegrin", "montenegrino", "montenegrina"]),
    c("MS", "MSR", "Montserrat", &["Montserratian"]),
    c("MA", "MAR", "Morocco", &["Kingdom of Morocco", "Marruecos", "Moroccan", "marroquí"]),
    c("MZ", "MOZ", "Mozambique", &["Republic of Mozambique", "Mozambican", "mozambiqueño", "mozambiqueña"]),
    c("MM", "MMR", "Burma", &["Myanmar", "Republic of the Union of Myanmar", "Birmania", "Burmese", "birmano", "birmana"]),
    c("NA", "NAM", "Namibia", &["Republic of Namibia", "Namibian", "namibio", "namibia"]),
    c("NR", "NRU", "Nauru", &["Republic of Nauru", "Nauruan"]),
    c("NP", "NPL", "Nepal", &["Federal Democratic Republic of Nepal", "Nepalese", "Nepali", "nepalí", "nepalés"]),
    c("NL", "NLD", "Netherlands", &["The Netherlands", "Kingdom of the Netherlands", "Netherlands (Kingdom of the)", "Holland", "Países Bajos", "Holanda", "Dutch", "neerlandés", "neerlandesa", "holandés", "holandesa"]),
    c("NC", "NCL", "New Caledonia", &["Nueva Caledonia", "New Caledonian"]),
    c("NZ", "NZL", "New Zealand", &["Aotearoa", "Nueva Zelanda", "Nueva Zelandia", "New Zealander", "neozelandés", "neozelandesa"]),
    c("NI", "NIC", "Nicaragua", &["Republic of Nicaragua", "República de Nicaragua", "Nicaraguan", "nicaragüense", "nicaraguense"]),
    c("NE", "NER", "Niger", &["Republic of the Niger", "Republic of Niger", "Níger", "Nigerien", "nigerino", "nigerina"]),
    c("NG", "NGA", "Nigeria", &["Federal Republic of Nigeria", "Nigerian", "nigeriano", "nigeriana"]),
    c("NU", "NIU", "Niue", &["Niuean"]),
    c("NF", "NFK", "Norfolk Island", &["Isla Norfolk"]),
    c("MK", "MKD", "North Macedonia", &["North Macedonia, The Republic of", "Republic of North Macedonia", "Macedonia", "Macedonia, The Former Yugoslav Republic of", "The former Yugoslav Republic of Macedonia", "FYROM", "Macedonia del Norte", "Macedonian", "macedonio", "macedonia"]),
    c("MP", "MNP", "Northern Mariana Islands", &["Northern Marianas", "Islas Marianas del Norte"]),
    c("NO", "NOR", "Norway", &["Kingdom of Norway", "Noruega", "Norwegian", "noruego", "noruega"]),
    c("OM", "OMN", "Oman", &["Sultanate of Oman", "Omán", "Omani", "omaní"]),
    c("PK", "PAK", "Pakistan", &["Islamic Republic of Pakistan", "Pakistán", "Pakistani", "paquistaní", "pakistaní"]),
    c("PW", "PLW", "Palau", &["Republic of Palau", "Palauan"]),
    c("PS", "PSE", "Palestine", &["State of Palestine", "Palestine, State of", "Palestinian Territories", "Palestinian Territory", "Occupied Palestinian Territory", "Palestinian", "Gaza", "Gaza Strip", "West Bank", "West Bank and Gaza", "Palestina", "Cisjordania", "Franja de Gaza", "palestino", "palestina"]),
    c("PA", "PAN", "Panama", &["Republic of Panama", "Panamá", "República de Panamá", "Panamanian", "panameño", "panameña"]),
    c("PG", "PNG", "Papua New Guinea", &["Papúa Nueva Guinea", "Papua New Guinean"]),
    c("PY", "PRY", "Paraguay", &["Republic of Paraguay", "República del Paraguay", "Paraguayan", "paraguayo", "paraguaya"]),
    c("PE", "PER", "Peru", &["Republic of Peru", "Perú", "República del Perú", "Peruvian", "peruano", "peruana"]),
    c("PH", "PHL", "Philippines", &["Republic of the Philippines", "The Philippines", "Filipinas", "Philippine", "Filipino", "filipina"]),
    c("PN", "PCN", "Pitcairn", &["Pitcairn Islands", "Islas Pitcairn"]),
    c("PL", "POL", "Poland", &["Republic of Poland", "Polonia", "Polish", "polaco", "polaca"]),
    c("PT", "PRT", "Portugal", &["Portuguese Republic", "Portuguese", "portugués", "portuguesa"]),
    c("PR", "PRI", "Puerto Rico", &["Commonwealth of Puerto Rico", "Porto Rico", "Puerto Rican", "puertorriqueño", "puertorriqueña", "boricua"]),
    c("QA", "QAT", "Qatar", &["State of Qatar", "Catar", "Qatari", "catarí", "qatarí"]),
    c("RE", "REU", "Réunion", &["Reunion", "Reunión"]),
    c("RO", "ROU", "Romania", &["Rumania", "Rumanía", "Roumania", "Romanian", "rumano", "rumana"]),
    c("RU", "RUS", "Russia", &["Russian Federation", "Rusia", "Federación de Rusia", "Federación Rusa", "Russian", "ruso", "rusa"]),
    c("RW", "RWA", "Rwanda", &["Republic of Rwanda", "Ruanda", "Rwandan", "Rwandese", "ruandés", "ruandesa"]),
    c("BL", "BLM", "Saint Barthélemy", &["Saint Barthelemy", "St Barts", "San Bartolomé"]),
    c("SH", "SHN", "Saint Helena", &["Saint Helena, Ascension and Tristan da Cunha", "Santa Elena"]),
    c("KN", "KNA", "Saint Kitts and Nevis", &["Federation of Saint Kitts and Nevis", "Saint Christopher and Nevis", "San Cristóbal y Nieves", "Kittitian", "Nevisian"]),
    c("LC", "LCA", "Saint Lucia", &["Santa Lucía", "Saint Lucian"]),
    c("MF", "MAF", "Saint Martin", &["Saint Martin (French part)", "Collectivity of Saint Martin", "San Martín"]),
    c("PM", "SPM", "Saint Pierre and Miquelon", &["San Pedro y Miquelón"]),
    c("VC", "VCT", "Saint Vincent and the Grenadines", &["Saint Vincent", "San Vicente y las Granadinas", "Vincentian"]),
    c("WS", "WSM", "Samoa", &["Independent State of Samoa", "Western Samoa", "Samoan"]),
    c("SM", "SMR", "San Marino", &["Republic of San Marino", "Sammarinese", "sanmarinense"]),
    c("ST", "STP", "Sao Tome and Principe", &["São Tomé and Príncipe", "Santo Tomé y Príncipe", "Sao Tome", "Sao Tomean"]),
    c("SA", "SAU", "Saudi Arabia", &["Kingdom of Saudi Arabia", "Arabia Saudita", "Arabia Saudí", "Saudi", "Saudi Arabian", "saudí", "saudita"]),
    c("SN", "SEN", "Senegal", &["Republic of Senegal", "Senegalese", "senegalés", "senegalesa"]),
    c("RS", "SRB", "Serbia", &["Republic of Serbia", "Serbian", "Serb", "serbio", "serbia"]),
    c("SC", "SYC", "Seychelles", &["Republic of Seychelles", "Seychellois", "seychellense"]),
    c("SL", "SLE", "Sierra Leone", &["Republic of Sierra Leone", "Sierra Leona", "Sierra Leonean", "sierraleonés"]),
    c("SG", "SGP", "Singapore", &["Republic of Singapore", "Singapur", "Singaporean", "singapurense"]),
    c("SX", "SXM", "Sint Maarten", &["Sint Maarten (Dutch part)", "San Martín (parte neerlandesa)"]),
    c("SK", "SVK", "Slovakia", &["Slovak Republic", "Eslovaquia", "Slovak", "Slovakian", "eslovaco", "eslovaca"]),
    c("SI", "SVN", "Slovenia", &["Republic of Slovenia", "Eslovenia", "Slovenian", "Slovene", "esloveno", "eslovena"]),
    c("SB", "SLB", "Solomon Islands", &["Islas Salomón", "Solomon Islander"]),
    c("SO", "SOM", "Somalia", &["Federal Republic of Somalia", "Somali", "somalí"]),
    c("ZA", "ZAF", "South Africa", &["Republic of South Africa", "Sudáfrica", "Sudafrica", "South African", "sudafricano", "sudafricana"]),
    c("GS", "SGS", "South Georgia and the South Sandwich Islands", &["South Georgia"]),
    c("SS", "SSD", "South Sudan", &["Republic of South Sudan", "Sudán del Sur", "South Sudanese", "sursudanés"]),
    c("ES", "ESP", "Spain", &["Kingdom of Spain", "España", "Reino de España", "Spanish", "Spaniard", "español", "española"]),
    c("LK", "LKA", "Sri Lanka", &["Democratic Socialist Republic of Sri Lanka", "Ceylon", "Sri Lankan", "esrilanqués", "ceilandés"]),
    c("SD", "SDN", "Sudan", &["Republic of the Sudan", "The Sudan", "Sudán", "Sudanese", "sudanés", "sudanesa"]),
    c("SR", "SUR", "Suriname", &["Republic of Suriname", "Surinam", "Surinamese", "surinamés"]),
    c("SJ", "SJM", "Svalbard and Jan Mayen", &["Svalbard"]),
    c("SE", "SWE", "Sweden", &["Kingdom of Sweden", "Suecia", "Swedish", "Swede", "sueco", "sueca"]),
    c("CH", "CHE", "Switzerland", &["Swiss Confederation", "Suiza", "Schweiz", "Suisse", "Swiss", "suizo", "suiza"]),
    c("SY", "SYR", "Syria", &["Syrian Arab Republic", "Siria", "Syrian", "sirio", "siria"]),
    c("TW", "TWN", "Taiwan", &["Republic of China", "Taiwan, Province of China", "Chinese Taipei", "Taiwán", "Taiwanese", "taiwanés", "taiwanesa"]),
    c("TJ", "TJK", "Tajikistan", &["Republic of Tajikistan", "Tayikistán", "Tajik", "Tajikistani", "tayiko", "tayika"]),
    c("TZ", "TZA", "Tanzania", &["United Republic of Tanzania", "Tanzania, United Republic of", "Tanzanian", "tanzano", "tanzana"]),
    c("TH", "THA", "Thailand", &["Kingdom of Thailand", "Siam", "Tailandia", "Thai", "tailandés", "tailandesa"]),
    c("TL", "TLS", "Timor-Leste", &["East Timor", "Timor Leste", "Timor Oriental", "Timorese"]),
    c("TG", "TGO", "Togo", &["Togolese Republic", "Togolese", "togolés", "togolesa"]),
    c("TK", "TKL", "Tokelau", &["Tokelauan"]),
    c("TO", "TON", "Tonga", &["Kingdom of Tonga", "Tongan"]),
    c("TT", "TTO", "Trinidad and Tobago", &["Republic of Trinidad and Tobago", "Trinidad y Tobago", "Trinidad", "Trinidadian", "Tobagonian", "trinitense"]),
    c("TN", "TUN", "Tunisia", &["Republic of Tunisia", "Túnez", "Tunez", "Tunisian", "tunecino", "tunecina"]),
    c("TR", "TUR", "Turkey", &["Türkiye", "Republic of Türkiye", "Republic of Turkey", "Turquía", "Turquia", "Turkish", "Turk", "turco", "turca"]),
    c("TM", "TKM", "Turkmenistan", &["Turkmenistán", "Turkmen", "turcomano", "turkmeno"]),
    c("TC", "TCA", "Turks and Caicos Islands", &["Turks and Caicos", "Islas Turcas y Caicos"]),
    c("TV", "TUV", "Tuvalu", &["Tuvaluan"]),
    c("UG", "UGA", "Uganda", &["Republic of Uganda", "Ugandan", "ugandés", "ugandesa"]),
    c("UA", "UKR", "Ukraine", &["Ucrania", "Ukrainian", "ucraniano", "ucraniana"]),
    c("AE", "ARE", "United Arab Emirates", &["UAE", "U.A.E.", "Emirates", "Emiratos Árabes Unidos", "Emiratos Arabes Unidos", "Emirati", "emiratí"]),
    c("GB", "GBR", "United Kingdom", &["United Kingdom of Great Britain and Northern Ireland", "UK", "U.K.", "Great Britain", "Britain", "England", "Scotland", "Wales", "Northern Ireland", "Reino Unido", "Gran Bretaña", "Inglaterra", "British", "británico", "británica"]),
    c("US", "USA", "United States", &["United States of America", "U.S.", "U.S.A.", "America", "Estados Unidos", "Estados Unidos de América", "EE.UU.", "EEUU", "EUA", "American", "estadounidense", "norteamericano", "norteamericana"]),
    c("UM", "UMI", "United States Minor Outlying Islands", &["US Minor Outlying Islands"]),
    c("UY", "URY", "Uruguay", &["Oriental Republic of Uruguay", "República Oriental del Uruguay", "Uruguayan", "uruguayo", "uruguaya"]),
    c("UZ", "UZB", "Uzbekistan", &["Republic of Uzbekistan", "Uzbekistán", "Uzbek", "Uzbekistani", "uzbeko", "uzbeka"]),
    c("VU", "VUT", "Vanuatu", &["Republic of Vanuatu", "Ni-Vanuatu"]),
    c("VE", "VEN", "Venezuela", &["Bolivarian Republic of Venezuela", "Venezuela (Bolivarian Republic of)", "República Bolivariana de Venezuela", "Venezuelan", "venezolano", "venezolana"]),
    c("VN", "VNM", "Vietnam", &["Viet Nam", "Socialist Republic of Viet Nam", "Vietnamese", "vietnamita"]),
    c("VG", "VGB", "British Virgin Islands", &["Virgin Islands, British", "Virgin Islands (British)", "BVI", "Islas Vírgenes Británicas"]),
    c("VI", "VIR", "United States Virgin Islands", &["Virgin Islands, U.S.", "Virgin Islands (U.S.)", "US Virgin Islands", "U.S. Virgin Islands", "Islas Vírgenes de los Estados Unidos"]),
    c("WF", "WLF", "Wallis and Futuna", &["Wallis y Futuna"]),
    c("EH", "ESH", "Western Sahara", &["Sahara Occidental", "Sahrawi", "Sahrawi Arab Democratic Republic"]),
    c("YE", "YEM", "Yemen", &["Republic of Yemen", "Yemeni", "yemení"]),
    c("ZM", "ZMB", "Zambia", &["Republic of Zambia", "Zambian", "zambiano", "zambiana"]),
    c("ZW", "ZWE", "Zimbabwe", &["Republic of Zimbabwe", "Zimbabue", "Zimbabwean", "zimbabuense"]),
    // Codes outside the current ISO 3166-1 list that sanctions lists still use.
    c("XK", "XKX", "Kosovo", &["Republic of Kosovo", "Kosova", "Kosovar", "Kosovan", "kosovar"]),
    c("AN", "ANT", "Netherlands Antilles", &["Antillas Neerlandesas", "Antillas Holandesas"]),
    c("SU", "SUN", "Soviet Union", &["former Soviet Union", "USSR", "U.S.S.R.", "Union of Soviet Socialist Republics", "Unión Soviética", "URSS"]),
    c("YU", "YUG", "Yugoslavia", &["Federal Republic of Yugoslavia", "former Yugoslavia", "Yugoslav", "yugoslavo"]),
    c("CS", "SCG", "Serbia and Montenegro", &["Serbia y Montenegro"]),
];

struct Index {
    by_alpha2: HashMap<&'static str, &'static Country>,
    by_alpha3: HashMap<String, &'static str>,
    by_name: HashMap<String, &'static str>,
}

fn index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut by_alpha2 = HashMap::new();
        let mut by_alpha3 = HashMap::new();
        let mut by_name = HashMap::new();
        for country in COUNTRIES {
            by_alpha2.insert(country.alpha2, country);
            by_alpha3.insert(country.alpha3.to_ascii_lowercase(), country.alpha2);
            for n in std::iter::once(&country.name).chain(country.aliases.iter()) {
                // The first country to claim a key keeps it; the table test
                // asserts there are no conflicting claims.
                by_name.entry(normalize(n)).or_insert(country.alpha2);
            }
        }
        Index { by_alpha2, by_alpha3, by_name }
    })
}

/// Lower-case ASCII words: accents folded, `.` and apostrophes dropped
/// (`U.S.A.` is `usa`, `d'Ivoire` is `divoire`), `&` read as `and`, every
/// other non-alphanumeric a word break, `st` read as `saint`.
fn normalize(s: &str) -> String {
    let folded = deunicode::deunicode(s);
    let mut cleaned = String::with_capacity(folded.len());
    for ch in folded.chars() {
        match ch {
            '.' | '\'' | '`' => {}
            '&' => cleaned.push_str(" and "),
            c if c.is_ascii_alphanumeric() => cleaned.push(c.to_ascii_lowercase()),
            _ => cleaned.push(' '),
        }
    }
    let mut out = String::with_capacity(cleaned.len());
    for word in cleaned.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(if word == "st" { "saint" } else { word });
    }
    out
}

/// Removes parenthesised parts: `Iran (Islamic Republic of)` is `Iran`.
fn without_parentheses(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut depth = 0usize;
    for ch in s.chars() {
        match ch {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(ch),
            _ => {}
        }
    }
    out
}

/// `Korea, North` is read as `North Korea`; `Bahamas, The` as `The Bahamas`.
fn uninverted(s: &str) -> Option<String> {
    let (head, tail) = s.rsplit_once(',')?;
    let (head, tail) = (head.trim(), tail.trim());
    if head.is_empty() || tail.is_empty() {
        return None;
    }
    Some(format!("{tail} {head}"))
}

fn lookup_key(idx: &Index, key: &str) -> Option<&'static str> {
    if key.is_empty() {
        return None;
    }
    if let Some(code) = idx.by_name.get(key) {
        return Some(code);
    }
    const PREFIXES: [&str; 3] = ["the ", "region ", "republic of "];
    for prefix in PREFIXES {
        if let Some(rest) = key.strip_prefix(prefix) {
            if let Some(code) = lookup_key(idx, rest) {
                return Some(code);
            }
        }
    }
    None
}

/// The ISO 3166-1 alpha-2 code (upper case) of a country given by code,
/// name (English as OFAC and the UN print it, or common Spanish) or
/// nationality adjective; `None` if it is not recognised or not one country.
///
/// ```
/// use cartelscreen::engine::country::iso2;
/// assert_eq!(iso2("Korea, North"), Some("KP"));
/// assert_eq!(iso2("méxico"), Some("MX"));
/// assert_eq!(iso2("Colombian"), Some("CO"));
/// assert_eq!(iso2("usa"), Some("US"));
/// assert_eq!(iso2("Region: Crimea"), None);
/// ```
pub fn iso2(name_or_code: &str) -> Option<&'static str> {
    let idx = index();
    let raw = name_or_code.trim();
    if raw.len() == 2 && raw.bytes().all(|b| b.is_ascii_alphabetic()) {
        let upper = raw.to_ascii_uppercase();
        if let Some(c) = idx.by_alpha2.get(upper.as_str()) {
            return Some(c.alpha2);
        }
    }
    if raw.len() == 3 && raw.bytes().all(|b| b.is_ascii_alphabetic()) {
        if let Some(code) = idx.by_alpha3.get(raw.to_ascii_lowercase().as_str()) {
            return Some(code);
        }
    }
    let key = normalize(raw);
    if let Some(code) = lookup_key(idx, &key) {
        return Some(code);
    }
    let bare = without_parentheses(name_or_code);
    let mut candidates = vec![bare.clone()];
    candidates.extend(uninverted(name_or_code));
    candidates.extend(uninverted(&bare));
    for candidate in candidates {
        if let Some(code) = lookup_key(idx, &normalize(&candidate)) {
            return Some(code);
        }
    }
    None
}

/// The display name of an alpha-2 code (any case): `MX` is `Mexico`,
/// `KP` is `North Korea`.
pub fn name(iso2: &str) -> Option<&'static str> {
    let code = iso2.trim().to_ascii_uppercase();
    index().by_alpha2.get(code.as_str()).map(|c| c.name)
}

/// Whether two country mentions denote the same country (both must be
/// recognised).
pub fn same_country(a: &str, b: &str) -> bool {
    matches!((iso2(a), iso2(b)), (Some(x), Some(y)) if x == y)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeSet, HashMap};

    #[test]
    fn table_is_consistent() {
        let mut alpha2 = BTreeSet::new();
        let mut alpha3 = BTreeSet::new();
        let mut claims: HashMap<String, &str> = HashMap::new();
        for c in COUNTRIES {
            assert_eq!(c.alpha2.len(), 2, "{}", c.alpha2);
            assert_eq!(c.alpha3.len(), 3, "{}", c.alpha3);
            assert!(c.alpha2.bytes().all(|b| b.is_ascii_uppercase()), "{}", c.alpha2);
            assert!(alpha2.insert(c.alpha2), "duplicate alpha-2 {}", c.alpha2);
            assert!(alpha3.insert(c.alpha3), "duplicate alpha-3 {}", c.alpha3);
            for n in std::iter::once(&c.name).chain(c.aliases.iter()) {
                let key = normalize(n);
                assert!(!key.is_empty(), "{n}");
                if let Some(prev) = claims.insert(key.clone(), c.alpha2) {
                    assert_eq!(prev, c.alpha2, "{n:?} ({key}) claimed by {prev} and {}", c.alpha2);
                }
            }
        }
        // 249 ISO 3166-1 entries plus XK, AN, SU, YU, CS.
        assert_eq!(COUNTRIES.len(), 254);
    }

    #[test]
    fn every_country_maps_by_its_codes_and_name() {
        for c in COUNTRIES {
            assert_eq!(iso2(c.alpha2), Some(c.alpha2));
            assert_eq!(iso2(&c.alpha2.to_ascii_lowercase()), Some(c.alpha2));
            assert_eq!(iso2(c.alpha3), Some(c.alpha2), "{}", c.alpha3);
            assert_eq!(iso2(c.name), Some(c.alpha2), "{}", c.name);
            assert_eq!(name(c.alpha2), Some(c.name));
            for a in c.aliases {
                assert_eq!(iso2(a), Some(c.alpha2), "{a}");
            }
        }
    }

    #[test]
    fn ofac_spellings() {
        let cases = [
            ("Korea, North", "KP"),
            ("Korea, South", "KR"),
            ("Congo, Democratic Republic of the", "CD"),
            ("Congo, Republic of the", "CG"),
            ("Democratic Republic of the Congo", "CD"),
            ("Iran", "IR"),
            ("Russia", "RU"),
            ("United States", "US"),
            ("Burma", "MM"),
            ("Virgin Islands, British", "VG"),
            ("Bahamas, The", "BS"),
            ("The Gambia", "GM"),
            ("Man, Isle of", "IM"),
            ("North Macedonia, The Republic of", "MK"),
            ("Cote d Ivoire", "CI"),
            ("Côte d'Ivoire", "CI"),
            ("Côte d’Ivoire", "CI"),
            ("Palestinian", "PS"),
            ("Region: Gaza", "PS"),
            ("Region: West Bank", "PS"),
            ("West Bank", "PS"),
            ("Netherlands Antilles", "AN"),
            ("Hong Kong", "HK"),
            ("Macau", "MO"),
            ("Kosovo", "XK"),
            ("Czech Republic", "CZ"),
            ("Saint Kitts and Nevis", "KN"),
            ("St. Kitts and Nevis", "KN"),
            ("Cabo Verde", "CV"),
        ];
        for (input, code) in cases {
            assert_eq!(iso2(input), Some(code), "{input}");
        }
    }

    #[test]
    fn un_spellings() {
        let cases = [
            ("Democratic People's Republic of Korea", "KP"),
            ("Iran (Islamic Republic of)", "IR"),
            ("Syrian Arab Republic", "SY"),
            ("United Kingdom of Great Britain and Northern Ireland", "GB"),
            ("United States of America", "US"),
            ("Russian Federation", "RU"),
            ("United Republic of Tanzania", "TZ"),
            ("State of Palestine", "PS"),
            ("Türkiye", "TR"),
            ("Viet Nam", "VN"),
            ("China, Hong Kong Special Administrative Region", "HK"),
            ("British Virgin Islands", "VG"),
            ("former Soviet Union", "SU"),
            ("Bolivia (Plurinational State of)", "BO"),
            ("Venezuela (Bolivarian Republic of)", "VE"),
            ("Lao People's Democratic Republic", "LA"),
            ("Republic of Korea", "KR"),
        ];
        for (input, code) in cases {
            assert_eq!(iso2(input), Some(code), "{input}");
        }
    }

    #[test]
    fn spanish_names_and_adjectives() {
        let cases = [
            ("México", "MX"),
            ("MEXICO", "MX"),
            ("Estados Unidos", "US"),
            ("Estados Unidos de América", "US"),
            ("EE.UU.", "US"),
            ("España", "ES"),
            ("Colombia", "CO"),
            ("Guatemala", "GT"),
            ("Perú", "PE"),
            ("Panamá", "PA"),
            ("República Dominicana", "DO"),
            ("Corea del Norte", "KP"),
            ("Países Bajos", "NL"),
            ("Emiratos Árabes Unidos", "AE"),
            ("Mexican", "MX"),
            ("mexicana", "MX"),
            ("American", "US"),
            ("estadounidense", "US"),
            ("Colombian", "CO"),
            ("Venezuelan", "VE"),
            ("Guatemalan", "GT"),
            ("hondureño", "HN"),
            ("Salvadoran", "SV"),
            ("British", "GB"),
            ("Dutch", "NL"),
            ("Swiss", "CH"),
            ("Emirati", "AE"),
            ("Lebanese", "LB"),
            ("Chinese", "CN"),
        ];
        for (input, code) in cases {
            assert_eq!(iso2(input), Some(code), "{input}");
        }
    }

    #[test]
    fn codes_and_noise() {
        assert_eq!(iso2("MX"), Some("MX"));
        assert_eq!(iso2(" mex "), Some("MX"));
        assert_eq!(iso2("USA"), Some("US"));
        assert_eq!(iso2("U.S.A."), Some("US"));
        assert_eq!(iso2("gbr"), Some("GB"));
        assert_eq!(iso2("UK"), Some("GB"));
        assert_eq!(iso2("  united   STATES  "), Some("US"));
        assert_eq!(iso2("ZZ"), None);
        assert_eq!(iso2("XYZ"), None);
        assert_eq!(iso2(""), None);
        assert_eq!(iso2("   "), None);
        assert_eq!(iso2("undetermined"), None);
        assert_eq!(iso2("Region: Crimea"), None);
        assert_eq!(iso2("Korea"), None);
        assert_eq!(iso2("Virgin Islands"), None);
        assert_eq!(iso2(",,,"), None);
        assert_eq!(iso2("(((("), None);
        assert_eq!(name("mx"), Some("Mexico"));
        assert_eq!(name("KP"), Some("North Korea"));
        assert_eq!(name("ZZ"), None);
        assert!(same_country("Estados Unidos", "United States of America"));
        assert!(!same_country("Niger", "Nigeria"));
        assert!(!same_country("Sudan", "South Sudan"));
        assert!(!same_country("undetermined", "undetermined"));
    }

    proptest::proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,40}") {
            let _ = iso2(&s);
            let _ = name(&s);
        }
    }

    fn shared(path: &str) -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data").join(path)
    }

    /// Countries of the real files that legitimately denote no single
    /// country.
    const NOT_A_COUNTRY: &[&str] = &[
        "undetermined",
        "Region: Crimea",
        "Region: Kafia Kingi",
        "Region: Commonwealth of Independent States",
        "Region: Northern Mali",
    ];

    #[test]
    fn every_country_of_the_ofac_address_file_maps() {
        let path = shared("ofac/current/add.csv");
        let bytes =
            std::fs::read(&path).unwrap_or_else(|e| panic!("real OFAC file {} is missing: {e}", path.display()));
        let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes.as_slice());
        let mut seen = BTreeSet::new();
        for rec in rdr.byte_records() {
            let rec = rec.expect("add.csv parses");
            if let Some(field) = rec.get(4) {
                let s = String::from_utf8_lossy(field).trim().to_string();
                if !s.is_empty() && s != "-0-" {
                    seen.insert(s);
                }
            }
        }
        assert!(seen.len() > 150, "only {} countries", seen.len());
        let unmapped: Vec<&String> =
            seen.iter().filter(|s| iso2(s).is_none() && !NOT_A_COUNTRY.contains(&s.as_str())).collect();
        assert!(unmapped.is_empty(), "unmapped OFAC countries: {unmapped:?}");
        for s in NOT_A_COUNTRY {
            assert!(seen.contains(*s), "{s} no longer in the file");
            assert_eq!(iso2(s), None, "{s}");
        }
    }

    #[test]
    fn every_country_of_the_un_list_maps() {
        let path = shared("un/2026-02-27/consolidated.xml");
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("real UN file {} is missing: {e}", path.display()));
        let mut seen = BTreeSet::new();
        // NATIONALITY values sit in <NATIONALITY><VALUE>..</VALUE>; countries
        // in <COUNTRY>, <ISSUING_COUNTRY>, <COUNTRY_OF_ISSUE>, <COUNTRY_OF_BIRTH>.
        let mut rest = text.as_str();
        while let Some(i) = rest.find("<NATIONALITY>") {
            rest = &rest[i + "<NATIONALITY>".len()..];
            let end = rest.find("</NATIONALITY>").unwrap_or(rest.len());
            let mut block = &rest[..end];
            while let Some(j) = block.find("<VALUE>") {
                block = &block[j + 7..];
                let k = block.find("</VALUE>").unwrap_or(block.len());
                seen.insert(block[..k].split_whitespace().collect::<Vec<_>>().join(" "));
                block = &block[k..];
            }
        }
        for tag in ["COUNTRY", "ISSUING_COUNTRY", "COUNTRY_OF_ISSUE", "COUNTRY_OF_BIRTH"] {
            let open = format!("<{tag}>");
            let close = format!("</{tag}>");
            let mut rest = text.as_str();
            while let Some(i) = rest.find(&open) {
                rest = &rest[i + open.len()..];
                let k = rest.find(&close).unwrap_or(rest.len());
                seen.insert(rest[..k].split_whitespace().collect::<Vec<_>>().join(" "));
                rest = &rest[k..];
            }
        }
        seen.remove("");
        assert!(seen.len() > 60, "only {} countries", seen.len());
        // `na` (not available) in one NATIONALITY is read as Namibia's code
        // here; the UN loader drops it before it gets this far.
        let unmapped: Vec<&String> = seen.iter().filter(|s| iso2(s).is_none()).collect();
        assert!(unmapped.is_empty(), "unmapped UN countries: {unmapped:?}");
    }
}
